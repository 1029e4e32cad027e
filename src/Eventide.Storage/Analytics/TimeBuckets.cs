namespace Eventide.Storage.Analytics;

/// <summary>
/// UTC-aligned bucket arithmetic. Buckets start at whole minutes, hours and
/// midnight UTC, exactly as the aggregates' time_bucket/date_bin do.
/// </summary>
public static class TimeBuckets
{
    public static TimeSpan Width(Granularity g) => g switch
    {
        Granularity.Minute => TimeSpan.FromMinutes(1),
        Granularity.Hour => TimeSpan.FromHours(1),
        Granularity.Day => TimeSpan.FromDays(1),
        _ => throw new ArgumentOutOfRangeException(nameof(g)),
    };

    public static DateTimeOffset Floor(DateTimeOffset t, Granularity g)
    {
        var ticks = Width(g).Ticks;
        var utc = t.UtcTicks;
        return new DateTimeOffset(utc - (utc % ticks), TimeSpan.Zero);
    }

    public static DateTimeOffset Ceiling(DateTimeOffset t, Granularity g)
    {
        var floor = Floor(t, g);
        return floor == t ? floor : floor + Width(g);
    }

    /// <summary>Start of every bucket that overlaps the range, in order.</summary>
    public static IEnumerable<DateTimeOffset> Starts(TimeRange range, Granularity g)
    {
        for (var b = Floor(range.From, g); b < range.To; b += Width(g))
        {
            yield return b;
        }
    }

    /// <summary>How many buckets overlap the range.</summary>
    public static long Count(TimeRange range, Granularity g) =>
        range.IsEmpty ? 0 : ((Ceiling(range.To, g) - Floor(range.From, g)).Ticks / Width(g).Ticks);
}
