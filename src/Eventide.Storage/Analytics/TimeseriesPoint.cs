using System.Text.Json.Serialization;

namespace Eventide.Storage.Analytics;

/// <summary>
/// One bucket; the first and last may be partial and count only the part inside the range.
/// With a metric, <see cref="Value"/> is its sum or average in the bucket (null for an average
/// without numeric values) and <see cref="Skipped"/> counts the non-numeric values.
/// </summary>
public sealed record TimeseriesPoint(
    [property: JsonPropertyName("bucket")] DateTimeOffset Bucket,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("unique_users")] long UniqueUsers,
    [property: JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? Value = null,
    [property: JsonPropertyName("skipped"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Skipped = null);
