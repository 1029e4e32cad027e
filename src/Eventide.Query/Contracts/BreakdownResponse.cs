using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>Rows of a breakdown; with a metric, <see cref="Skipped"/> counts the non-numeric values over all rows returned.</summary>
public sealed record BreakdownResponse(
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("rows")] IReadOnlyList<BreakdownRow> Rows,
    [property: JsonPropertyName("skipped"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Skipped);
