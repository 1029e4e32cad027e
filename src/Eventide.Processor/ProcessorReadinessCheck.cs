using Eventide.Core;
using Eventide.Processor.Cluster;

namespace Eventide.Processor;

/// <summary>
/// Ready once this member is Up in the cluster and sharding has started; not
/// ready while the schema is missing, before joining, or after leaving.
/// </summary>
public sealed class ProcessorReadinessCheck(ProcessorClusterState cluster, LocalShards local) : IReadinessCheck
{
    public string Name => "processor";

    public Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(
        cluster.Problem is { } problem ? new ReadinessResult(false, problem)
        : cluster.Cluster is not { } c ? new ReadinessResult(false, "sharding has not started")
        : cluster.IsUp ? new ReadinessResult(true, $"member {c.SelfAddress} is up and holds {local.ShardCount} of {cluster.Shards} shards")
        : new ReadinessResult(false, $"member {c.SelfAddress} is {c.SelfMember.Status}, not up"));
}
