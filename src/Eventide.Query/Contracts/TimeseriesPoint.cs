using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>One bucket; the first and last may be partial and count only the part inside the range.</summary>
public sealed record TimeseriesPoint(
    [property: JsonPropertyName("bucket")] DateTimeOffset Bucket,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("unique_users")] long UniqueUsers);
