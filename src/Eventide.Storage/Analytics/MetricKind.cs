namespace Eventide.Storage.Analytics;

public enum MetricKind
{
    Sum,
    Avg,
}
