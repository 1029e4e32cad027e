using System.Text.Json.Serialization;

namespace Eventide.Storage.Analytics;

public sealed record NameEvents(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("events")] long Events);
