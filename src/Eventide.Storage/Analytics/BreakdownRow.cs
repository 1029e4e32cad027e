using System.Text.Json.Serialization;

namespace Eventide.Storage.Analytics;

/// <summary>
/// Events for one value; <see cref="Key"/> is null for events without that path, referrer, user
/// or property. With a metric, <see cref="Value"/> is its sum or average over the numeric values
/// and <see cref="Skipped"/> counts the events whose value was present but not a number.
/// </summary>
public sealed record BreakdownRow(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? Value = null,
    [property: JsonPropertyName("skipped"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Skipped = null);
