using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>One server-sent message: events whose time falls in the second starting at <see cref="Ts"/>.</summary>
public sealed record LiveCount(
    [property: JsonPropertyName("ts")] DateTimeOffset Ts,
    [property: JsonPropertyName("events")] long Events);
