using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>A step matches events with this name and, when given, this exact path.</summary>
public sealed record FunnelStep(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("path")] string? Path);
