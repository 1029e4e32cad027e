namespace Eventide.Storage.Analytics;

/// <summary>
/// Splits a range into pieces each served by the coarsest relation whose
/// buckets lie wholly inside it: whole days from events_1d, the hours at
/// either edge from events_1h, the minutes beyond them from events_1m, and
/// only the sub-minute edges from raw events. A bucket is used only when it is
/// entirely inside the range, so the sum over the pieces is exact for any
/// from/to, aligned or not.
/// </summary>
public static class RangePlan
{
    private static readonly Granularity[] AllLevels = [Granularity.Day, Granularity.Hour, Granularity.Minute];

    /// <summary>Plan for event counts, using aggregates no coarser than <paramref name="coarsest"/>.</summary>
    public static IReadOnlyList<RangeSegment> ForEvents(TimeRange range, Granularity coarsest = Granularity.Day) =>
        Split(range, AllLevels.Where(g => g <= coarsest).OrderDescending().ToArray());

    /// <summary>
    /// Plan for distinct users: users_1d for whole days (unless <paramref name="coarsest"/> is
    /// finer), users_1h for whole hours at the edges, raw events for the rest. Over 30 days
    /// users_1d has a row per user and day instead of per user and hour.
    /// </summary>
    public static IReadOnlyList<RangeSegment> ForUsers(TimeRange range, Granularity coarsest = Granularity.Day) =>
        Split(range, coarsest == Granularity.Day ? [Granularity.Day, Granularity.Hour] : [Granularity.Hour]);

    /// <summary>Plan for a per-day aggregate only (name_users_1d): whole days from it, raw events for the rest.</summary>
    public static IReadOnlyList<RangeSegment> ForDays(TimeRange range) => Split(range, [Granularity.Day]);

    private static List<RangeSegment> Split(TimeRange range, ReadOnlySpan<Granularity> levels)
    {
        var result = new List<RangeSegment>();
        Split(range, levels, result);
        return result;
    }

    private static void Split(TimeRange range, ReadOnlySpan<Granularity> levels, List<RangeSegment> into)
    {
        if (range.IsEmpty)
        {
            return;
        }
        if (levels.IsEmpty)
        {
            into.Add(new RangeSegment(RangeSource.Raw, range));
            return;
        }
        var g = levels[0];
        var start = TimeBuckets.Ceiling(range.From, g);
        var end = TimeBuckets.Floor(range.To, g);
        if (start >= end)
        {
            Split(range, levels[1..], into);
            return;
        }
        Split(new TimeRange(range.From, start), levels[1..], into);
        into.Add(new RangeSegment(SourceOf(g), new TimeRange(start, end)));
        Split(new TimeRange(end, range.To), levels[1..], into);
    }

    private static RangeSource SourceOf(Granularity g) => g switch
    {
        Granularity.Minute => RangeSource.Minute,
        Granularity.Hour => RangeSource.Hour,
        _ => RangeSource.Day,
    };
}
