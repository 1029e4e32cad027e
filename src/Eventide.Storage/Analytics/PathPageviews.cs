using System.Text.Json.Serialization;

namespace Eventide.Storage.Analytics;

public sealed record PathPageviews(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("pageviews")] long Pageviews);
