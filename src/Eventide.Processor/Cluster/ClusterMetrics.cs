using System.Diagnostics.Metrics;
using Eventide.Core;

namespace Eventide.Processor.Cluster;

/// <summary>
/// The processor cluster's instruments on the <see cref="EventideMeter.Name"/> meter, created through
/// <see cref="IMeterFactory"/>: members by status, unreachable members, shards
/// and site entities on this member, handoffs and their duration, and
/// remoting peers refused by mutual TLS.
/// </summary>
public sealed class ClusterMetrics
{
    private readonly Counter<long> _handoffs;
    private readonly Histogram<double> _handoffDuration;
    private readonly Counter<long> _refusedPeers;
    private volatile ProcessorClusterState? _state;
    private volatile LocalShards? _local;

    public ClusterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(EventideMeter.Name);
        meter.CreateObservableGauge("eventide_processor_cluster_members", ObserveMembers, "{member}", "Cluster members by status, as this member sees them");
        meter.CreateObservableGauge("eventide_processor_cluster_unreachable_members", ObserveUnreachable, "{member}", "Members this member's failure detector finds unreachable");
        meter.CreateObservableGauge("eventide_processor_cluster_shards", () => _local?.ShardCount ?? 0, "{shard}", "Shards held (and consumed) by this member");
        meter.CreateObservableGauge("eventide_processor_cluster_entities", () => _local?.SiteEntities ?? 0, "{entity}", "Site entities alive on this member");
        _handoffs = meter.CreateCounter<long>("eventide_processor_cluster_handoffs", "{handoff}", "Shards this member handed off after committing their in-flight batch");
        _refusedPeers = meter.CreateCounter<long>("eventide_processor_cluster_refused_peers", "{connection}",
            "Remoting connections refused because the peer presented no certificate or one the cluster's authority did not issue (TLS on)");
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

    internal void RecordRefusedPeer() => _refusedPeers.Add(1);

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
