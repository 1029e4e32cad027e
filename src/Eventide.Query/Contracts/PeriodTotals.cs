using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>The summary's figures for another period (the previous one of the same length).</summary>
public sealed record PeriodTotals(
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("pageviews")] long Pageviews,
    [property: JsonPropertyName("unique_users")] long UniqueUsers,
    [property: JsonPropertyName("goal_users"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? GoalUsers,
    [property: JsonPropertyName("conversion_rate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ConversionRate);
