using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>The change of each summary figure against the previous period.</summary>
public sealed record SummaryChange(
    [property: JsonPropertyName("events")] Change Events,
    [property: JsonPropertyName("pageviews")] Change Pageviews,
    [property: JsonPropertyName("unique_users")] Change UniqueUsers,
    [property: JsonPropertyName("conversion_rate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Change? ConversionRate);
