using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>
/// Funnel definition: ordered steps and a window, either as an ISO 8601
/// duration (<c>window</c>, e.g. PT1H) or in seconds. <c>from</c>/<c>to</c>
/// may be given here or in the query string.
/// </summary>
public sealed record FunnelRequest(
    [property: JsonPropertyName("steps")] IReadOnlyList<FunnelStep>? Steps,
    [property: JsonPropertyName("window")] string? Window,
    [property: JsonPropertyName("window_seconds")] long? WindowSeconds,
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("to")] string? To);
