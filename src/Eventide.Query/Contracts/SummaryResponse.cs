using System.Text.Json.Serialization;

namespace Eventide.Query.Contracts;

/// <summary>
/// Totals for [from, to), the same totals for the previous period of the same length
/// (<see cref="Previous"/>), and the change of each figure. <see cref="Goal"/>,
/// <see cref="GoalUsers"/> and <see cref="ConversionRate"/> are present when a goal was asked for.
/// </summary>
public sealed record SummaryResponse(
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("pageviews")] long Pageviews,
    [property: JsonPropertyName("unique_users")] long UniqueUsers,
    [property: JsonPropertyName("top_paths")] IReadOnlyList<PathPageviews> TopPaths,
    [property: JsonPropertyName("top_events")] IReadOnlyList<NameEvents> TopEvents,
    [property: JsonPropertyName("goal"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Goal,
    [property: JsonPropertyName("goal_users"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? GoalUsers,
    [property: JsonPropertyName("conversion_rate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ConversionRate,
    [property: JsonPropertyName("previous")] PeriodTotals Previous,
    [property: JsonPropertyName("change")] SummaryChange Change);
