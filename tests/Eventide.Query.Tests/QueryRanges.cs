using System.Globalization;
using Eventide.Testing.Dataset;

namespace Eventide.Query.Tests;

/// <summary>Named ranges over the standard dataset: aligned, unaligned, empty-bucketed and sub-minute.</summary>
public static class QueryRanges
{
    private static readonly DateTimeOffset S = EventDataset.Start;

    public static readonly IReadOnlyDictionary<string, (DateTimeOffset From, DateTimeOffset To)> All = new Dictionary<string, (DateTimeOffset, DateTimeOffset)>
    {
        // Whole days: served by events_1d and users_1h only.
        ["full-30-days"] = (S, S.AddDays(30)),
        ["one-day"] = (S.AddDays(7), S.AddDays(8)),
        // Inside one day, unaligned to minutes: hours, minutes and raw edges.
        ["unaligned-hours"] = (S.AddDays(3).AddHours(10).AddMinutes(17).AddSeconds(23.456), S.AddDays(3).AddHours(15).AddMinutes(43).AddSeconds(5.1)),
        // Across days, unaligned at both ends: every relation takes part.
        ["unaligned-days"] = (S.AddDays(1).AddHours(22).AddMinutes(59).AddSeconds(59.999), S.AddDays(12).AddHours(1).AddSeconds(0.5)),
        // Both edges inside days the plain fixture leaves with dirty hours (every fifth day):
        // clean hours, dirty hours read raw and partial hours at each end.
        ["dirty-day-edges"] = (S.AddDays(5).AddHours(10).AddMinutes(17).AddSeconds(3.25), S.AddDays(10).AddHours(15).AddMinutes(43)),
        // Around the gap with no events: empty buckets.
        ["gap"] = (EventDataset.Gap.From.AddMinutes(-30), EventDataset.Gap.To.AddMinutes(30).AddSeconds(30)),
        // Starts before the data.
        ["before-data"] = (S.AddDays(-2), S.AddHours(1).AddMinutes(30)),
        // Less than a minute: raw events only.
        ["sub-minute"] = (S.AddDays(4).AddHours(12).AddSeconds(10), S.AddDays(4).AddHours(12).AddSeconds(50)),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys)
        {
            data.Add(name);
        }
        return data;
    }

    /// <summary>Range × interval pairs within the 10 000-point cap.</summary>
    public static TheoryData<string, string> WithIntervals() => new()
    {
        { "full-30-days", "day" },
        { "full-30-days", "hour" },
        { "one-day", "minute" },
        { "one-day", "hour" },
        { "unaligned-hours", "minute" },
        { "unaligned-hours", "hour" },
        { "unaligned-days", "day" },
        { "unaligned-days", "hour" },
        { "dirty-day-edges", "day" },
        { "dirty-day-edges", "hour" },
        { "gap", "minute" },
        { "gap", "hour" },
        { "before-data", "hour" },
        { "before-data", "day" },
        { "sub-minute", "minute" },
    };

    public static string Query(string name)
    {
        var (from, to) = All[name];
        return $"from={Uri.EscapeDataString(Format(from))}&to={Uri.EscapeDataString(Format(to))}";
    }

    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
