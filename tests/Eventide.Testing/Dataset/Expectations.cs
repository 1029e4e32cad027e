using System.Globalization;
using System.Text.Json;
using Eventide.Core;

namespace Eventide.Testing.Dataset;

/// <summary>
/// What the query API must answer, computed with LINQ over the generated
/// events and nothing else: no SQL, no aggregates, no code from the query
/// project. Ranges are half-open [from, to). Ranked lists are ordered by
/// count descending, then key in ordinal order with null last.
/// </summary>
public static class Expectations
{
    public const string Pageview = "pageview";

    public sealed record Summary(long Events, long Pageviews, long UniqueUsers, IReadOnlyList<(string Key, long Count)> TopPaths, IReadOnlyList<(string Key, long Count)> TopNames);

    public sealed record Point(DateTimeOffset Bucket, long Events, long UniqueUsers);

    public sealed record Step(string Name, string? Path);

    public static IEnumerable<EventRecord> InRange(IEnumerable<EventRecord> events, string site, DateTimeOffset from, DateTimeOffset to) =>
        events.Where(e => e.SiteId == site && e.Timestamp >= from && e.Timestamp < to);

    public static Summary SummaryOf(IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to, int limit)
    {
        var events = InRange(all, site, from, to).ToList();
        var pageviews = events.Where(e => e.Name == Pageview).ToList();
        return new Summary(
            events.Count,
            pageviews.Count,
            events.Where(e => e.UserId is not null).Select(e => e.UserId).Distinct().Count(),
            Rank(pageviews.Where(e => e.Path is not null).Select(e => e.Path), limit).Select(r => (r.Key!, r.Count)).ToList(),
            Rank(events.Select(e => (string?)e.Name), limit).Select(r => (r.Key!, r.Count)).ToList());
    }

    /// <summary>Counts per key, most first, ties by ordinal key with null last, at most <paramref name="limit"/>.</summary>
    public static IReadOnlyList<(string? Key, long Count)> Rank(IEnumerable<string?> keys, int limit) =>
        keys.GroupBy(k => k ?? "\0null")
            .Select(g => (Key: g.First(), Count: (long)g.Count()))
            .OrderByDescending(r => r.Count)
            .ThenBy(r => r.Key is null ? 1 : 0)
            .ThenBy(r => r.Key, StringComparer.Ordinal)
            .Take(limit)
            .ToList();

    public static IReadOnlyList<(string? Key, long Count)> Breakdown(
        IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to, string by, int limit) =>
        Rank(InRange(all, site, from, to).Select(e => by switch
        {
            "path" => e.Path,
            "name" => e.Name,
            "referrer" => e.Referrer,
            _ => throw new ArgumentOutOfRangeException(nameof(by)),
        }), limit);

    /// <summary>
    /// One point per UTC-aligned bucket that overlaps the range, zeros
    /// included; partial edge buckets count only events inside the range.
    /// </summary>
    public static IReadOnlyList<Point> Timeseries(
        IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to, string interval, string? name = null)
    {
        var events = InRange(all, site, from, to).Where(e => name is null || e.Name == name).ToList();
        var byBucket = events.GroupBy(e => BucketOf(e.Timestamp, interval)).ToDictionary(g => g.Key, g => g.ToList());
        var points = new List<Point>();
        for (var b = BucketOf(from, interval); b < to; b = Next(b, interval))
        {
            var inBucket = byBucket.GetValueOrDefault(b) ?? [];
            points.Add(new Point(b, inBucket.Count, inBucket.Where(e => e.UserId is not null).Select(e => e.UserId).Distinct().Count()));
        }
        return points;
    }

    /// <summary>
    /// Users reaching each step. Per user: the anchor is their earliest
    /// step-1 event in the range; step k is reached when some step-k event
    /// lies strictly after the event that reached step k-1 and no later than
    /// anchor + window; the earliest such event is the one that counts.
    /// Events outside the range are not seen at all.
    /// </summary>
    public static long[] Funnel(IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<Step> steps, TimeSpan window)
    {
        var reached = new long[steps.Count];
        static bool Matches(EventRecord e, Step s) => e.Name == s.Name && (s.Path is null || e.Path == s.Path);
        foreach (var user in InRange(all, site, from, to).Where(e => e.UserId is not null).GroupBy(e => e.UserId))
        {
            var ordered = user.OrderBy(e => e.Timestamp).ToList();
            var first = ordered.FirstOrDefault(e => Matches(e, steps[0]));
            if (first is null)
            {
                continue;
            }
            reached[0]++;
            var last = first.Timestamp;
            var deadline = first.Timestamp + window;
            for (var k = 1; k < steps.Count; k++)
            {
                var next = ordered.FirstOrDefault(e => e.Timestamp > last && e.Timestamp <= deadline && Matches(e, steps[k]));
                if (next is null)
                {
                    break;
                }
                reached[k]++;
                last = next.Timestamp;
            }
        }
        return reached;
    }

    /// <summary>Raw events of the range matching the exact filters, newest first, ties by event id descending (ordinal).</summary>
    public static IReadOnlyList<EventRecord> RawEvents(
        IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to,
        string? name = null, string? path = null, string? userId = null, string? sessionId = null) =>
        InRange(all, site, from, to)
            .Where(e => (name is null || e.Name == name) && (path is null || e.Path == path)
                && (userId is null || e.UserId == userId) && (sessionId is null || e.SessionId == sessionId))
            .OrderByDescending(e => e.Timestamp)
            .ThenByDescending(e => e.EventId, StringComparer.Ordinal)
            .ToList();

    private static DateTimeOffset BucketOf(DateTimeOffset t, string interval)
    {
        var u = t.UtcDateTime;
        return interval switch
        {
            "minute" => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, u.Minute, 0, TimeSpan.Zero),
            "hour" => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero),
            "day" => new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero),
            _ => throw new ArgumentOutOfRangeException(nameof(interval)),
        };
    }

    private static DateTimeOffset Next(DateTimeOffset bucket, string interval) => interval switch
    {
        "minute" => bucket.AddMinutes(1),
        "hour" => bucket.AddHours(1),
        _ => bucket.AddDays(1),
    };

    /// <summary>The query filters: exact name, path and top-level property values (as text).</summary>
    public sealed record Filter(string? Name = null, string? Path = null, IReadOnlyList<(string Key, string Value)>? Properties = null)
    {
        public bool Matches(EventRecord e) =>
            (Name is null || e.Name == Name) && (Path is null || e.Path == Path)
            && (Properties ?? []).All(p => PropertyText(e, p.Key) == p.Value);
    }

    /// <summary>(key, events, metric value, skipped values) of a breakdown row.</summary>
    public sealed record Row(string? Key, long Events, decimal? Value, long? Skipped);

    /// <summary>A metric point: the sum or average of the numeric values and the count of the others.</summary>
    public sealed record MetricPoint(DateTimeOffset Bucket, decimal? Value, long Skipped);

    /// <summary>A top-level property as text: strings as they are, other scalars as their JSON text; null when absent or JSON null.</summary>
    public static string? PropertyText(EventRecord e, string key)
    {
        if (e.Properties is null)
        {
            return null;
        }
        using var doc = JsonDocument.Parse(e.Properties);
        if (!doc.RootElement.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText();
    }

    /// <summary>The property's number; Skipped when it is present but not a JSON number; Absent when missing.</summary>
    public static (bool Present, decimal? Number) PropertyNumber(EventRecord e, string key)
    {
        if (e.Properties is null)
        {
            return (false, null);
        }
        using var doc = JsonDocument.Parse(e.Properties);
        if (!doc.RootElement.TryGetProperty(key, out var v))
        {
            return (false, null);
        }
        return (true, v.ValueKind == JsonValueKind.Number ? decimal.Parse(v.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) : null);
    }

    public static Summary SummaryOf(IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to, int limit,
        Filter filter, IReadOnlyCollection<string> pageviewNames)
    {
        var events = InRange(all, site, from, to).Where(filter.Matches).ToList();
        var pageviews = events.Where(e => pageviewNames.Contains(e.Name)).ToList();
        return new Summary(
            events.Count,
            pageviews.Count,
            events.Where(e => e.UserId is not null).Select(e => e.UserId).Distinct().Count(),
            Rank(pageviews.Where(e => e.Path is not null).Select(e => e.Path), limit).Select(r => (r.Key!, r.Count)).ToList(),
            Rank(events.Select(e => (string?)e.Name), limit).Select(r => (r.Key!, r.Count)).ToList());
    }

    /// <summary>Users with at least one goal event in the range (and the filter).</summary>
    public static long GoalUsers(IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to, Filter filter, string goal) =>
        InRange(all, site, from, to).Where(e => filter.Matches(e) && e.Name == goal && e.UserId is not null).Select(e => e.UserId).Distinct().Count();

    /// <summary>
    /// Breakdown rows by path, name, referrer, user or property:key; with a metric (sum:p / avg:p)
    /// ordered by its value (null last), then events, then key.
    /// </summary>
    public static IReadOnlyList<Row> Breakdown(IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to,
        string by, Filter filter, string? metric, int limit)
    {
        Func<EventRecord, string?> key = by switch
        {
            "path" => e => e.Path,
            "name" => e => e.Name,
            "referrer" => e => e.Referrer,
            "user" => e => e.UserId,
            _ when by.StartsWith("property:", StringComparison.Ordinal) => e => PropertyText(e, by[9..]),
            _ => throw new ArgumentOutOfRangeException(nameof(by)),
        };
        var rows = InRange(all, site, from, to).Where(filter.Matches).GroupBy(e => key(e) ?? "\0null")
            .Select(g =>
            {
                var (value, skipped) = metric is null ? (null, (long?)null) : MetricOf(g, metric);
                return new Row(key(g.First()), g.LongCount(), value, skipped);
            });
        var ordered = metric is null ? rows.OrderBy(_ => 0) : rows.OrderBy(r => r.Value is null ? 1 : 0).ThenByDescending(r => r.Value);
        return ordered.ThenByDescending(r => r.Events).ThenBy(r => r.Key is null ? 1 : 0).ThenBy(r => r.Key, StringComparer.Ordinal).Take(limit).ToList();
    }

    /// <summary>Per bucket of the range (zeros included), the metric over the filtered events.</summary>
    public static IReadOnlyList<MetricPoint> MetricSeries(IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to,
        string interval, Filter filter, string metric)
    {
        var byBucket = InRange(all, site, from, to).Where(filter.Matches).GroupBy(e => BucketOf(e.Timestamp, interval)).ToDictionary(g => g.Key, g => g.ToList());
        var points = new List<MetricPoint>();
        for (var b = BucketOf(from, interval); b < to; b = Next(b, interval))
        {
            var (value, skipped) = MetricOf(byBucket.GetValueOrDefault(b) ?? [], metric);
            points.Add(new MetricPoint(b, value, skipped ?? 0));
        }
        return points;
    }

    /// <summary>sum:p is 0 over no numbers; avg:p is null then. Present non-numbers are skipped and counted.</summary>
    public static (decimal? Value, long? Skipped) MetricOf(IEnumerable<EventRecord> events, string metric)
    {
        var property = metric[4..];
        var values = events.Select(e => PropertyNumber(e, property)).Where(v => v.Present).ToList();
        var numbers = values.Where(v => v.Number is not null).Select(v => v.Number!.Value).ToList();
        var skipped = values.Count - numbers.Count;
        return metric.StartsWith("sum:", StringComparison.Ordinal)
            ? (numbers.Sum(), skipped)
            : (numbers.Count == 0 ? null : numbers.Sum() / numbers.Count, skipped);
    }

    /// <summary>Timeseries of events and unique users over the filtered events.</summary>
    public static IReadOnlyList<Point> Timeseries(
        IReadOnlyList<EventRecord> all, string site, DateTimeOffset from, DateTimeOffset to, string interval, Filter filter) =>
        Timeseries(all.Where(filter.Matches).ToList(), site, from, to, interval);
}
