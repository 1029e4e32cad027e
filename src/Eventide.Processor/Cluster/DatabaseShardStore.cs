using Eventide.Storage.Processing;

namespace Eventide.Processor.Cluster;

internal sealed class DatabaseShardStore(ShardConsumer consumer) : IShardStore
{
    public Task<ConsumeResult> ConsumeAsync(int shard, int maxEvents, IRecentIds? recent, CancellationToken cancellationToken) =>
        consumer.ConsumeAsync(shard, maxEvents, recent, cancellationToken);
}
