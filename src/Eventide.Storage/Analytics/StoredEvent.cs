using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eventide.Storage.Analytics;

public sealed record StoredEvent(
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("referrer")] string? Referrer,
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("session_id")] string? SessionId,
    [property: JsonPropertyName("properties")] JsonElement? Properties,
    [property: JsonPropertyName("received_at")] DateTimeOffset ReceivedAt);
