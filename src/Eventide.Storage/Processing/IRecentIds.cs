using Eventide.Core;

namespace Eventide.Storage.Processing;

/// <summary>
/// The in-memory front of the dedupe store: answers "which of these ids were
/// stored recently?" without a database round trip. It may forget (a miss is
/// then checked in <c>event_ids</c>) but must never claim an id it has not
/// seen committed.
/// </summary>
public interface IRecentIds
{
    /// <summary>The (site, event id) pairs among <paramref name="events"/> known to be stored; empty when none or unknown.</summary>
    ValueTask<IReadOnlySet<(string SiteId, string EventId)>> KnownAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken);
}
