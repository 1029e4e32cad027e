using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

public sealed record FunnelResponse(
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("window_seconds")] long WindowSeconds,
    [property: JsonPropertyName("steps")] IReadOnlyList<FunnelStepResult> Steps);
