namespace Eventide.Operator.Reconciliation;

/// <summary>The answer of <c>GET /v1/admin/lag</c>.</summary>
public sealed record LagReport(long TotalEvents, double MaxAgeSeconds, int Shards);
