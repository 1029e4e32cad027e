using System.Diagnostics.Metrics;

namespace Eventide.Processor.Cluster;

/// <summary>
/// The processor cluster's instruments on the "Eventide" meter, created through
/// <see cref="IMeterFactory"/>: members by status, unreachable members, shards
/// and site entities on this member, handoffs and their duration.
/// </summary>
public sealed class ClusterMetrics
{
    private readonly Counter<long> _handoffs;
    private readonly Histogram<double> _handoffDuration;
    private volatile ProcessorClusterState? _state;
    private volatile LocalShards? _local;

    public ClusterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Eventide");
        meter.CreateObservableGauge("eventide_processor_cluster_members", ObserveMembers, "{member}", "Cluster members by status, as this member sees them");
        meter.CreateObservableGauge("eventide_processor_cluster_unreachable_members", ObserveUnreachable, "{member}", "Members this member's failure detector finds unreachable");
        meter.CreateObservableGauge("eventide_processor_cluster_shards", () => _local?.ShardCount ?? 0, "{shard}", "Shards held (and consumed) by this member");
        meter.CreateObservableGauge("eventide_processor_cluster_entities", () => _local?.SiteEntities ?? 0, "{entity}", "Site entities alive on this member");
        _handoffs = meter.CreateCounter<long>("eventide_processor_cluster_handoffs", "{handoff}", "Shards this member handed off after committing their in-flight batch");
        _handoffDuration = meter.CreateHistogram<double>("eventide_processor_cluster_handoff_duration_seconds", "s",
            "Time from a shard's hand-off stop message to its consumer's stop (the final flush included)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    internal void Attach(ProcessorClusterState state, LocalShards local)
    {
        _state = state;
        _local = local;
    }

    internal void RecordHandoff(double seconds)
    {
        _handoffs.Add(1);
        _handoffDuration.Record(seconds);
    }

    private IEnumerable<Measurement<int>> ObserveMembers()
    {
        if (_state?.Cluster is not { } cluster)
        {
            yield break;
        }
        foreach (var group in cluster.State.Members.GroupBy(m => m.Status))
        {
            yield return new Measurement<int>(group.Count(), new KeyValuePair<string, object?>("status", group.Key.ToString().ToLowerInvariant()));
        }
    }

    private int ObserveUnreachable() => _state?.Cluster?.State.Unreachable.Count ?? 0;
}
