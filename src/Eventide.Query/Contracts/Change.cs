using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>
/// Current minus previous, and that as a percentage of the previous value; <see cref="Percent"/>
/// is null when the previous value is 0 (no finite percentage exists).
/// </summary>
public sealed record Change(
    [property: JsonPropertyName("absolute")] double Absolute,
    [property: JsonPropertyName("percent")] double? Percent)
{
    public static Change Of(double current, double previous) =>
        new(current - previous, previous == 0 ? null : (current - previous) / previous * 100);
}
