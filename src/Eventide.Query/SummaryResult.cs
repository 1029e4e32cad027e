using Eventide.Query.Contracts;

namespace Eventide.Query;

/// <summary>What the summary and /stats share: counts and the ranked lists.</summary>
public sealed record SummaryResult(long Events, long Pageviews, long UniqueUsers, IReadOnlyList<PathPageviews> TopPaths, IReadOnlyList<NameEvents> TopEvents);
