namespace Eventide.Processor.Cluster;

/// <summary>The site entity's transitions, pure over its <see cref="SiteState"/>.</summary>
public static class SiteDecisions
{
    /// <summary>The ids among <paramref name="eventIds"/> the site saw committed after <paramref name="notBefore"/>.</summary>
    public static IReadOnlyList<string> Known(SiteState state, IReadOnlyList<string> eventIds, DateTimeOffset notBefore)
    {
        List<string>? known = null;
        foreach (var id in eventIds)
        {
            if (state.Contains(id, notBefore))
            {
                (known ??= []).Add(id);
            }
        }
        return known ?? (IReadOnlyList<string>)[];
    }

    /// <summary>A committed batch: its stored ids enter the front, the counters move.</summary>
    public static void Apply(SiteState state, SiteCommitted committed, DateTimeOffset now)
    {
        foreach (var id in committed.StoredIds)
        {
            state.Remember(id, now);
        }
        state.Stored += committed.StoredIds.Count;
        state.Duplicates += committed.Duplicates;
        state.DeadLettered += committed.DeadLettered;
    }
}
