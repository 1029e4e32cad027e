using System.Diagnostics.Metrics;
using Eventide.Operator.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Eventide.Operator.Tests.Reconciliation;

public sealed class OperatorMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Reconciled_counts_by_result_and_records_the_duration()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var metrics = new OperatorMetrics(factory);
        using var reconciles = new MetricCollector<long>(factory, OperatorMetrics.MeterName, "eventide.operator.reconciles");
        using var duration = new MetricCollector<double>(factory, OperatorMetrics.MeterName, "eventide.operator.reconcile.duration");
        metrics.Reconciled(true, TimeSpan.FromMilliseconds(20));
        metrics.Reconciled(true, TimeSpan.FromMilliseconds(30));
        metrics.Reconciled(false, TimeSpan.FromSeconds(2));
        var points = reconciles.GetMeasurementSnapshot();
        Assert.Equal(2, points.Where(m => (string?)m.Tags["result"] == "success").Sum(m => m.Value));
        Assert.Equal(1, points.Where(m => (string?)m.Tags["result"] == "error").Sum(m => m.Value));
        Assert.Equal([0.02, 0.03, 2.0], duration.GetMeasurementSnapshot().Select(m => Math.Round(m.Value, 3)));
    }

    [Fact]
    public void Gauges_read_the_queue_depth_and_leadership_they_observe()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var metrics = new OperatorMetrics(factory);
        using var depth = new MetricCollector<int>(factory, OperatorMetrics.MeterName, "eventide.operator.workqueue.depth");
        using var leader = new MetricCollector<int>(factory, OperatorMetrics.MeterName, "eventide.operator.leader");
        metrics.Observe(() => 3, () => true);
        depth.RecordObservableInstruments();
        leader.RecordObservableInstruments();
        Assert.Equal(3, depth.LastMeasurement!.Value);
        Assert.Equal(1, leader.LastMeasurement!.Value);
    }

    [Fact]
    public void AutoscalerDecided_counts_by_direction()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var metrics = new OperatorMetrics(factory);
        using var decisions = new MetricCollector<long>(factory, OperatorMetrics.MeterName, "eventide.operator.autoscaler.decisions");
        metrics.AutoscalerDecided("up");
        metrics.AutoscalerDecided("up");
        metrics.AutoscalerDecided("down");
        var points = decisions.GetMeasurementSnapshot();
        Assert.Equal((2L, 1L), (points.Where(m => (string?)m.Tags["direction"] == "up").Sum(m => m.Value), points.Where(m => (string?)m.Tags["direction"] == "down").Sum(m => m.Value)));
    }
}
