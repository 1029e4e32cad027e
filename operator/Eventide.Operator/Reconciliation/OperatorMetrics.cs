using System.Diagnostics.Metrics;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// The operator's own instruments. They are only created here; exporting them
/// (Prometheus text at /metrics) is OpenTelemetry's job in the host.
/// </summary>
public sealed class OperatorMetrics
{
    public const string MeterName = "Eventide.Operator";

    // Reconciles take from milliseconds (nothing changed) to seconds (a slow API server or lag read).
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _reconciles;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _decisions;
    private Func<int> _depth = () => 0;
    private Func<bool> _leader = () => false;

    public OperatorMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _reconciles = meter.CreateCounter<long>("eventide.operator.reconciles", "{reconcile}", "Reconciles completed, by result (success, error).");
        _duration = meter.CreateHistogram("eventide.operator.reconcile.duration", "s", "Duration of one reconcile.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _decisions = meter.CreateCounter<long>("eventide.operator.autoscaler.decisions", "{decision}", "Processor replica changes the lag autoscaler decided, by direction (up, down).");
        meter.CreateObservableGauge("eventide.operator.workqueue.depth", () => _depth(), "{key}", "Keys waiting in the work queue.");
        meter.CreateObservableGauge("eventide.operator.leader", () => _leader() ? 1 : 0, "", "1 while this replica leads, else 0.");
    }

    /// <summary>Where the gauges read from; the controller sets them when it starts.</summary>
    public void Observe(Func<int> queueDepth, Func<bool> isLeader)
    {
        _depth = queueDepth;
        _leader = isLeader;
    }

    public void Reconciled(bool success, TimeSpan duration)
    {
        var result = new KeyValuePair<string, object?>("result", success ? "success" : "error");
        _reconciles.Add(1, result);
        _duration.Record(duration.TotalSeconds, result);
    }

    public void AutoscalerDecided(string direction) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("direction", direction));
}
