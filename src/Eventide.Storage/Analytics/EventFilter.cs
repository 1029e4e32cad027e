namespace Eventide.Storage.Analytics;

/// <summary>Exact-match filters for raw events; null means no filter.</summary>
public sealed record EventFilter(QueryFilter Where, string? UserId, string? SessionId);
