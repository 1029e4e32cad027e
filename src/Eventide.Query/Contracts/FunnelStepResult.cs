using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>Users who reached the step; <see cref="Conversion"/> = users / users of step 1 (0 when step 1 has none).</summary>
public sealed record FunnelStepResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("users")] long Users,
    [property: JsonPropertyName("conversion")] double Conversion);
