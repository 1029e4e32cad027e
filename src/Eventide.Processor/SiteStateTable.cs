using Eventide.Storage.Processing;

namespace Eventide.Processor;

/// <summary>
/// The per-site states of one shard (Akka's entities of a shard region).
/// A site idle for the passivation time is dropped with its dedupe cache and
/// counters. Used by one shard worker at a time, so not thread-safe.
/// </summary>
public sealed class SiteStateTable(TimeProvider time, TimeSpan passivateAfter, TimeSpan dedupeWindow, int idsPerSite) : IRecentIds
{
    private readonly Dictionary<string, SiteState> _sites = new(StringComparer.Ordinal);

    public int Count => _sites.Count;

    public SiteState? Find(string siteId) => _sites.GetValueOrDefault(siteId);

    public bool Contains(string siteId, string eventId) =>
        _sites.TryGetValue(siteId, out var site) && site.Contains(eventId, time.GetUtcNow() - dedupeWindow);

    /// <summary>Records what one committed batch did; call only after the commit.</summary>
    public void Record(ConsumeResult result)
    {
        var now = time.GetUtcNow();
        foreach (var e in result.Stored)
        {
            var site = Touch(e.SiteId, now);
            site.Stored++;
            site.Remember(e.EventId, now);
        }
        foreach (var e in result.Duplicates)
        {
            Touch(e.SiteId, now).Duplicates++;
        }
        foreach (var d in result.DeadLettered)
        {
            if (d.SiteId is not null)
            {
                Touch(d.SiteId, now).DeadLettered++;
            }
        }
    }

    /// <summary>Drops the sites idle for longer than the passivation time; returns how many.</summary>
    public int Passivate()
    {
        var cutoff = time.GetUtcNow() - passivateAfter;
        List<string>? idle = null;
        foreach (var (id, site) in _sites)
        {
            if (site.LastActive <= cutoff)
            {
                (idle ??= []).Add(id);
            }
        }
        foreach (var id in idle ?? [])
        {
            _sites.Remove(id);
        }
        return idle?.Count ?? 0;
    }

    private SiteState Touch(string siteId, DateTimeOffset now)
    {
        if (!_sites.TryGetValue(siteId, out var site))
        {
            site = new SiteState(idsPerSite);
            _sites[siteId] = site;
        }
        site.LastActive = now;
        return site;
    }
}
