using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>A step matches events with this name and, when given, this exact path.</summary>
public sealed record FunnelStep
{
    [Required]
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("path")]
    public string? Path { get; init; }
}
