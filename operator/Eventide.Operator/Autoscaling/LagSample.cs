namespace Eventide.Operator.Autoscaling;

/// <summary>One reading of <c>GET /v1/admin/lag</c>.</summary>
public sealed record LagSample(DateTimeOffset Time, long TotalEvents, double MaxAgeSeconds);
