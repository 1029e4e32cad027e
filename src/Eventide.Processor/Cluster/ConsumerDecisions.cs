using Eventide.Storage.Processing;

namespace Eventide.Processor.Cluster;

/// <summary>What a committed batch means for each of its sites.</summary>
public static class ConsumerDecisions
{
    public static IReadOnlyList<SiteCommitted> PerSite(ConsumeResult result)
    {
        var sites = new Dictionary<string, (List<string> Stored, int Duplicates, int Dead)>(StringComparer.Ordinal);
        foreach (var e in result.Stored)
        {
            Entry(e.SiteId).Stored.Add(e.EventId);
        }
        foreach (var e in result.Duplicates)
        {
            var entry = Entry(e.SiteId);
            sites[e.SiteId] = entry with { Duplicates = entry.Duplicates + 1 };
        }
        foreach (var d in result.DeadLettered)
        {
            if (d.SiteId is { } site)
            {
                var entry = Entry(site);
                sites[site] = entry with { Dead = entry.Dead + d.EventCount };
            }
        }
        return [.. sites.Select(s => new SiteCommitted(s.Key, s.Value.Stored, s.Value.Duplicates, s.Value.Dead))];

        (List<string> Stored, int Duplicates, int Dead) Entry(string site)
        {
            if (!sites.TryGetValue(site, out var entry))
            {
                sites[site] = entry = ([], 0, 0);
            }
            return entry;
        }
    }
}
