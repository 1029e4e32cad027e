using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

public sealed record StatsResponse(
    [property: JsonPropertyName("site_id")] string SiteId,
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("total_views")] long TotalViews,
    [property: JsonPropertyName("unique_users")] long UniqueUsers,
    [property: JsonPropertyName("top_paths")] IReadOnlyList<PathViews> TopPaths);
