using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

public sealed record PathViews(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("views")] long Views);
