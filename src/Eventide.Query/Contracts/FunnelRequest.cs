using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>
/// Funnel definition: ordered steps and a window, either as an ISO 8601
/// duration (<c>window</c>, e.g. PT1H) or in seconds. <c>from</c>/<c>to</c>
/// may be given here or in the query string.
/// </summary>
public sealed record FunnelRequest
{
    [Required]
    [JsonPropertyName("steps")]
    public IReadOnlyList<FunnelStep>? Steps { get; init; }

    /// <summary>ISO 8601 duration such as PT30M, PT1H, P1D; or use window_seconds.</summary>
    [JsonPropertyName("window")]
    public string? Window { get; init; }

    [JsonPropertyName("window_seconds")]
    public long? WindowSeconds { get; init; }

    /// <summary>RFC 3339; overrides the query string's from.</summary>
    [JsonPropertyName("from")]
    public string? From { get; init; }

    [JsonPropertyName("to")]
    public string? To { get; init; }
}
