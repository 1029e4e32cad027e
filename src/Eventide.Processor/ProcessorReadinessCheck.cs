using Akka.Actor;
using Akka.Cluster.Sharding;
using Eventide.Core;
using Eventide.Processor.Cluster;

namespace Eventide.Processor;

/// <summary>
/// Ready once this member is Up in the cluster and its shard region is
/// registered with the shard coordinator (the coordinator lists the region
/// among the ones it places shards on); not ready while the schema is
/// missing, before joining, while the coordinator does not know the region,
/// or after leaving. Kubernetes therefore counts a processor pod ready only
/// when it can hold shards, which is what the PodDisruptionBudget and a
/// rolling update rely on.
/// </summary>
public sealed class ProcessorReadinessCheck(ProcessorClusterState cluster, LocalShards local) : IReadinessCheck
{
    /// <summary>Below the probe's own 3 s, so a silent coordinator reads as "not registered", not as a timeout.</summary>
    private static readonly TimeSpan RegionsTimeout = TimeSpan.FromSeconds(2);

    public string Name => "processor";

    public async Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        if (cluster.Problem is { } problem)
        {
            return new ReadinessResult(false, problem);
        }
        if (cluster.Cluster is not { } c || cluster.Region is not { } region)
        {
            return new ReadinessResult(false, "sharding has not started");
        }
        if (!cluster.IsUp)
        {
            return new ReadinessResult(false, $"member {c.SelfAddress} is {c.SelfMember.Status.ToString().ToLowerInvariant()}, not up");
        }
        try
        {
            // The region forwards this to the coordinator, which answers with the regions it has registered.
            var regions = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, RegionsTimeout, cancellationToken);
            return regions.Regions.Contains(c.SelfAddress)
                ? new ReadinessResult(true, $"member {c.SelfAddress} is up, its shard region is registered, and it holds {local.ShardCount} of {cluster.Shards} shards")
                : new ReadinessResult(false, $"member {c.SelfAddress} is up but the shard coordinator has not registered its region yet");
        }
        catch (AskTimeoutException)
        {
            return new ReadinessResult(false, $"member {c.SelfAddress} is up but the shard coordinator did not answer within {RegionsTimeout.TotalSeconds} s");
        }
    }
}
