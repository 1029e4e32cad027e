using System.Collections.Concurrent;

namespace Eventide.Processor.Cluster;

/// <summary>
/// The shard consumers and site entities running on this member, for the
/// parts outside the actors: the inbox listener signals the local consumers
/// (every member hears every NOTIFY, only the holder of the shard acts), the
/// poll reads the local shards' lag, and the metrics count them.
/// </summary>
public sealed class LocalShards
{
    private readonly ConcurrentDictionary<int, Action<InboxSignal>> _consumers = new();
    private int _entities;

    public IReadOnlyCollection<int> Shards => [.. _consumers.Keys];

    public int ShardCount => _consumers.Count;

    public int SiteEntities => Volatile.Read(ref _entities);

    public void Register(int shard, Action<InboxSignal> signal) => _consumers[shard] = signal;

    public void Unregister(int shard, Action<InboxSignal> signal) =>
        _consumers.TryRemove(new KeyValuePair<int, Action<InboxSignal>>(shard, signal));

    public void Signal(int shard, InboxSignal signal)
    {
        if (_consumers.TryGetValue(shard, out var consumer))
        {
            consumer(signal);
        }
    }

    internal void EntityStarted() => Interlocked.Increment(ref _entities);

    internal void EntityStopped() => Interlocked.Decrement(ref _entities);
}
