using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>Events for one value; <see cref="Key"/> is null for events without a path or referrer.</summary>
public sealed record BreakdownRow(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("events")] long Events);
