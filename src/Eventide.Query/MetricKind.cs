namespace Eventide.Query;

public enum MetricKind
{
    Sum,
    Avg,
}
