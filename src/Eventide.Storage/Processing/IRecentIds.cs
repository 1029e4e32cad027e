namespace Eventide.Storage.Processing;

/// <summary>
/// The in-memory front of the dedupe store: answers "was this id stored
/// recently?" without a database round trip. It may forget (a miss is then
/// checked in <c>event_ids</c>) but must never claim an id it has not seen
/// committed.
/// </summary>
public interface IRecentIds
{
    bool Contains(string siteId, string eventId);
}
