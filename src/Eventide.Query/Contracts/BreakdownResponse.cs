using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

public sealed record BreakdownResponse(
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("rows")] IReadOnlyList<BreakdownRow> Rows);
