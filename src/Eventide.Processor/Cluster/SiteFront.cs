using Akka.Actor;
using Eventide.Core;
using Eventide.Storage.Processing;

namespace Eventide.Processor.Cluster;

/// <summary>
/// The dedupe front as the consume transaction sees it: asks the batch's site
/// entities (local: they live in the consumer's shard) which ids they saw
/// committed. A site that does not answer in time is treated as knowing
/// nothing, so its ids are checked in the database instead.
/// </summary>
internal sealed class SiteFront(IActorRef sites, TimeSpan timeout) : IRecentIds
{
    private static readonly IReadOnlySet<(string, string)> Nothing = new HashSet<(string, string)>();

    public async ValueTask<IReadOnlySet<(string SiteId, string EventId)>> KnownAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        var bySite = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (!bySite.TryGetValue(e.SiteId, out var ids))
            {
                bySite[e.SiteId] = ids = [];
            }
            ids.Add(e.EventId);
        }
        var asks = new List<Task<KnownIds>>(bySite.Count);
        foreach (var (site, ids) in bySite)
        {
            asks.Add(AskAsync(site, ids, cancellationToken));
        }
        HashSet<(string, string)>? known = null;
        foreach (var answer in await Task.WhenAll(asks))
        {
            foreach (var id in answer.EventIds)
            {
                (known ??= []).Add((answer.SiteId, id));
            }
        }
        return known ?? Nothing;
    }

    private async Task<KnownIds> AskAsync(string site, List<string> ids, CancellationToken ct)
    {
        try
        {
            return await sites.Ask<KnownIds>(new CheckIds(site, ids), timeout, ct);
        }
        catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException)
        {
            return KnownIds.None(site);
        }
    }
}
