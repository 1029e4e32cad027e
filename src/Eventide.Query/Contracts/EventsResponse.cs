using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>A page of raw events, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next page.</summary>
public sealed record EventsResponse(
    [property: JsonPropertyName("events")] IReadOnlyList<StoredEvent> Events,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);
