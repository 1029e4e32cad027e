using System.Globalization;
using System.Text.RegularExpressions;

namespace Eventide.Query.Parameters;

/// <summary>
/// Parsing and validation of query-string parameters. Pure: each method
/// returns the value or an error text that becomes a 400 problem's detail.
/// </summary>
public static partial class QueryParameters
{
    public const int MaxBuckets = 10_000;
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);

    // RFC 3339 date-time. A space in place of the offset's '+' is accepted
    // because an unencoded '+' in a query string arrives as a space.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+\- ]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex IsoDate();

    /// <summary>Parses an RFC 3339 timestamp to UTC, truncated to microseconds (PostgreSQL's precision).</summary>
    public static bool TryParseTimestamp(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || !Rfc3339().IsMatch(text))
        {
            return false;
        }
        var normalized = text.Length > 6 && text[^6] == ' ' ? string.Concat(text.AsSpan(0, text.Length - 6), "+", text.AsSpan(text.Length - 5)) : text;
        // .NET parses at most 7 fractional digits; drop nanoseconds beyond that.
        var dot = normalized.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < normalized.Length && char.IsAsciiDigit(normalized[end]))
            {
                end++;
            }
            if (end - dot - 1 > 7)
            {
                normalized = string.Concat(normalized.AsSpan(0, dot + 8), normalized.AsSpan(end));
            }
        }
        if (!DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }
        var utc = parsed.ToUniversalTime();
        value = new DateTimeOffset(utc.UtcTicks - (utc.UtcTicks % 10), TimeSpan.Zero);
        return true;
    }

    /// <summary>
    /// The query range from <c>from</c>/<c>to</c>: both given, or both absent
    /// for the last 24 hours up to <paramref name="now"/>.
    /// </summary>
    public static string? TryParseRange(string? from, string? to, DateTimeOffset now, int maxRangeDays, out TimeRange range)
    {
        range = default;
        if (from is null && to is null)
        {
            var end = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
            range = new TimeRange(end - DefaultRange, end);
            return null;
        }
        if (from is null || to is null)
        {
            return "Give both 'from' and 'to' (RFC 3339, e.g. 2026-01-01T00:00:00Z), or neither for the last 24 hours.";
        }
        if (!TryParseTimestamp(from, out var f))
        {
            return $"'from' must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z; got '{from}'.";
        }
        if (!TryParseTimestamp(to, out var t))
        {
            return $"'to' must be an RFC 3339 timestamp such as 2026-01-02T00:00:00Z; got '{to}'.";
        }
        if (t < f)
        {
            return $"'to' ({t:O}) is before 'from' ({f:O}).";
        }
        if (t - f > TimeSpan.FromDays(maxRangeDays))
        {
            return $"The range from 'from' to 'to' is {(t - f).TotalDays:0.##} days; at most {maxRangeDays} days are allowed.";
        }
        range = new TimeRange(f, t);
        return null;
    }

    public static string? TryParseInterval(string? text, out Granularity interval)
    {
        interval = Granularity.Hour;
        switch (text)
        {
            case null or "hour":
                return null;
            case "minute":
                interval = Granularity.Minute;
                return null;
            case "day":
                interval = Granularity.Day;
                return null;
            default:
                return $"'interval' must be minute, hour or day; got '{text}'.";
        }
    }

    public static string? TryParseLimit(string? text, int defaultValue, int max, out int limit)
    {
        limit = defaultValue;
        if (text is null)
        {
            return null;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > max)
        {
            return $"'limit' must be an integer from 1 to {max}; got '{text}'.";
        }
        return null;
    }

    public static string? CheckBuckets(TimeRange range, Granularity interval)
    {
        var count = TimeBuckets.Count(range, interval);
        return count > MaxBuckets
            ? $"interval={interval.ToString().ToLowerInvariant()} over this range gives {count} points; at most {MaxBuckets} are allowed. Use a coarser interval or a shorter range."
            : null;
    }

    /// <summary>A UTC day as YYYY-MM-DD.</summary>
    public static string? TryParseDate(string? text, out DateTimeOffset day)
    {
        day = default;
        if (text is null || !IsoDate().IsMatch(text)
            || !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return $"'date' must be a day as YYYY-MM-DD; got '{text}'.";
        }
        day = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return null;
    }

    public const int MaxPropertyKeyLength = 128;
    public const int MaxFilters = 10;

    /// <summary>name=, path= and the repeatable filter=property:&lt;key&gt;=&lt;value&gt;.</summary>
    public static string? TryParseFilter(string? name, string? path, string[]? filters, out QueryFilter? where)
    {
        where = null;
        if (name is { Length: 0 or > 128 })
        {
            return "'name' must be 1-128 characters.";
        }
        if (path is { Length: 0 or > 2048 })
        {
            return "'path' must be 1-2048 characters.";
        }
        var properties = new List<KeyValuePair<string, string>>();
        foreach (var filter in filters ?? [])
        {
            const string prefix = "property:";
            var eq = filter.IndexOf('=', StringComparison.Ordinal);
            if (!filter.StartsWith(prefix, StringComparison.Ordinal) || eq <= prefix.Length || eq - prefix.Length > MaxPropertyKeyLength)
            {
                return $"'filter' must be property:<key>=<value> with a key of 1-{MaxPropertyKeyLength} characters, e.g. filter=property:country=DE; got '{filter}'.";
            }
            properties.Add(new(filter[prefix.Length..eq], filter[(eq + 1)..]));
        }
        if (properties.Count > MaxFilters)
        {
            return $"At most {MaxFilters} 'filter' parameters are allowed; got {properties.Count}.";
        }
        where = new QueryFilter(name, path, properties);
        return null;
    }

    /// <summary>count (default), sum:&lt;property&gt; or avg:&lt;property&gt;.</summary>
    public static string? TryParseMetric(string? text, out Metric? metric)
    {
        metric = null;
        if (text is null or "count")
        {
            return null;
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? "" : text[..colon];
        var property = colon < 0 ? "" : text[(colon + 1)..];
        if (kind is not ("sum" or "avg") || property.Length is 0 or > MaxPropertyKeyLength)
        {
            return $"'metric' must be count, sum:<property> or avg:<property> (e.g. sum:revenue); got '{text}'.";
        }
        metric = new Metric(kind == "sum" ? MetricKind.Sum : MetricKind.Avg, property);
        return null;
    }

    /// <summary>path, name, referrer, user or property:&lt;key&gt;.</summary>
    public static string? TryParseBreakdown(string? by, out BreakdownKey? key)
    {
        key = by switch
        {
            "path" => new BreakdownKey(BreakdownDimension.Path),
            "name" => new BreakdownKey(BreakdownDimension.Name),
            "referrer" => new BreakdownKey(BreakdownDimension.Referrer),
            "user" => new BreakdownKey(BreakdownDimension.User),
            _ when by is not null && by.StartsWith("property:", StringComparison.Ordinal) && by.Length - 9 is > 0 and <= MaxPropertyKeyLength
                => new BreakdownKey(BreakdownDimension.Property, by[9..]),
            _ => null,
        };
        return key is null ? $"'by' must be path, name, referrer, user or property:<key> (e.g. property:country); got '{by}'." : null;
    }
}
