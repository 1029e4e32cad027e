namespace Eventide.Server.Metrics;

/// <summary>How an instrument's measurements become a Prometheus family.</summary>
public enum MetricKind
{
    /// <summary>Counter: measurements are increments; exposed as a counter.</summary>
    Counter,

    /// <summary>ObservableCounter: measurements are running totals; exposed as a counter.</summary>
    ObservedCounter,

    /// <summary>UpDownCounter: measurements are signed increments; exposed as a gauge.</summary>
    UpDownCounter,

    /// <summary>ObservableUpDownCounter: measurements are current sums (additive across callbacks); exposed as a gauge.</summary>
    ObservedUpDownCounter,

    /// <summary>Gauge: measurements are the current value; exposed as a gauge.</summary>
    Gauge,

    /// <summary>ObservableGauge: the value reported by the latest collection; exposed as a gauge.</summary>
    ObservedGauge,

    /// <summary>Histogram: measurements go into cumulative buckets with _sum and _count.</summary>
    Histogram,
}
