namespace Eventide.Storage.Analytics;

/// <summary>A numeric aggregate of one top-level property (metric=sum:revenue, avg:revenue).</summary>
public sealed record Metric(MetricKind Kind, string Property)
{
    public override string ToString() => $"{(Kind == MetricKind.Sum ? "sum" : "avg")}:{Property}";
}
