namespace Eventide.Storage.Analytics;

/// <summary>
/// What the summary and /stats share: counts and the ranked lists; <see cref="GoalUsers"/> is
/// the users who sent the goal event, when one was asked for.
/// </summary>
public sealed record SummaryResult(long Events, long Pageviews, long UniqueUsers, IReadOnlyList<PathPageviews> TopPaths, IReadOnlyList<NameEvents> TopEvents, long? GoalUsers = null);
