using Akka.Actor;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Logging;

namespace Eventide.Processor.Cluster;

/// <summary>
/// What every shard consumer on a member shares. <see cref="Gate"/> bounds the
/// member's concurrent consume transactions (MaxConcurrentBatches) whatever
/// the number of shards it holds.
/// </summary>
public sealed record ShardConsumerSettings(
    IShardStore Store,
    BatchPolicy Batch,
    SemaphoreSlim Gate,
    LocalShards Local,
    ClusterMetrics Metrics,
    ILogger Logger)
{
    /// <summary>The shard region, to reach the sites; null in tests without one (no dedupe front).</summary>
    public IActorRef? Sites { get; init; }

    /// <summary>The host's batch instruments; null in tests that do not read them.</summary>
    public ProcessorMetrics? Batches { get; init; }

    public TimeSpan FrontTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a consumer waits after a failed transaction before it takes signals again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);
}
