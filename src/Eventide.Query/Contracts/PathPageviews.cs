using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

public sealed record PathPageviews(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("pageviews")] long Pageviews);
