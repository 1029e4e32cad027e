using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>Points of a timeseries; with a metric, <see cref="Skipped"/> counts the non-numeric values over the range.</summary>
public sealed record TimeseriesResponse(
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("interval")] string Interval,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("points")] IReadOnlyList<TimeseriesPoint> Points,
    [property: JsonPropertyName("skipped"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Skipped);
