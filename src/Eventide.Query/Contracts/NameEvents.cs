using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

public sealed record NameEvents(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("events")] long Events);
