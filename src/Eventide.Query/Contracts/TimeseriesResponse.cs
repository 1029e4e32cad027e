using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

public sealed record TimeseriesResponse(
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("interval")] string Interval,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("points")] IReadOnlyList<TimeseriesPoint> Points);
