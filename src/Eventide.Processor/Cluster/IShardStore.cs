using Eventide.Storage.Processing;

namespace Eventide.Processor.Cluster;

/// <summary>The consume transaction as the shard consumer sees it (the real one is <see cref="ShardConsumer"/>).</summary>
public interface IShardStore
{
    Task<ConsumeResult> ConsumeAsync(int shard, int maxEvents, IRecentIds? recent, CancellationToken cancellationToken);
}
