using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

public sealed record SummaryResponse(
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("pageviews")] long Pageviews,
    [property: JsonPropertyName("unique_users")] long UniqueUsers,
    [property: JsonPropertyName("top_paths")] IReadOnlyList<PathPageviews> TopPaths,
    [property: JsonPropertyName("top_events")] IReadOnlyList<NameEvents> TopEvents);
