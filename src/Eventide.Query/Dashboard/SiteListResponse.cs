using System.Text.Json.Serialization;

namespace Eventide.Query.Dashboard;

/// <summary>The sites a key may read: every site for the admin token, its own for a read key.</summary>
public sealed record SiteListResponse(
    [property: JsonPropertyName("admin")] bool Admin,
    [property: JsonPropertyName("sites")] IReadOnlyList<string> Sites);
