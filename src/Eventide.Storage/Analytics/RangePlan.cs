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

    /// <summary>
    /// The plan with every aggregate piece kept off the given dirty hours (sorted, UTC-aligned):
    /// the part of a piece inside a dirty hour is read raw, the clean rest is planned again
    /// with aggregates no coarser than the piece's own, so a day with a dirty hour is read as
    /// its clean hours plus raw events of the dirty ones. The pieces still tile the range, and
    /// adjacent raw pieces are merged. This lets plain mode read the materialized tables
    /// directly (each exact for clean buckets) instead of through views that test every row
    /// against aggregate_dirty.
    /// </summary>
    public static IReadOnlyList<RangeSegment> Excluding(IReadOnlyList<RangeSegment> plan, IReadOnlyList<DateTimeOffset> dirtyHours)
    {
        var result = new List<RangeSegment>();
        var first = 0;
        foreach (var segment in plan)
        {
            if (segment.Source == RangeSource.Raw)
            {
                AddMerged(result, segment);
                continue;
            }
            var levels = AllLevels.Where(g => g <= LevelOf(segment.Source)).ToArray();
            var cursor = segment.Range.From;
            // Segments are in order, so the dirty hours before this one's start are done with.
            while (first < dirtyHours.Count && dirtyHours[first] + TimeSpan.FromHours(1) <= segment.Range.From)
            {
                first++;
            }
            for (var i = first; i < dirtyHours.Count && dirtyHours[i] < segment.Range.To; i++)
            {
                var from = Max(dirtyHours[i], segment.Range.From);
                var to = Min(dirtyHours[i] + TimeSpan.FromHours(1), segment.Range.To);
                foreach (var clean in Split(new TimeRange(cursor, from), levels))
                {
                    AddMerged(result, clean);
                }
                AddMerged(result, new RangeSegment(RangeSource.Raw, new TimeRange(from, to)));
                cursor = to;
            }
            foreach (var clean in Split(new TimeRange(cursor, segment.Range.To), levels))
            {
                AddMerged(result, clean);
            }
        }
        return result;
    }

    private static void AddMerged(List<RangeSegment> into, RangeSegment segment)
    {
        if (into.Count > 0 && into[^1] is { Source: RangeSource.Raw } last && segment.Source == RangeSource.Raw && last.Range.To == segment.Range.From)
        {
            into[^1] = new RangeSegment(RangeSource.Raw, new TimeRange(last.Range.From, segment.Range.To));
            return;
        }
        into.Add(segment);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static Granularity LevelOf(RangeSource source) => source switch
    {
        RangeSource.Minute => Granularity.Minute,
        RangeSource.Hour => Granularity.Hour,
        RangeSource.Day => Granularity.Day,
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

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
