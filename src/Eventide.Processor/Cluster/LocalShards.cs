using System.Collections.Concurrent;
using Akka.Actor;

namespace Eventide.Processor.Cluster;

/// <summary>
/// The shard consumers and site entities running on this member, for the
/// parts outside the actors: the inbox listener signals the local consumers
/// (every member hears every NOTIFY, only the holder of the shard acts), the
/// poll reads the local shards' lag, the metrics count them, and the site
/// limit picks the least recently active sites to passivate.
/// </summary>
public sealed class LocalShards
{
    private readonly ConcurrentDictionary<int, Action<InboxSignal>> _consumers = new();
    private readonly ConcurrentDictionary<IActorRef, SiteState> _sites = new();

    public IReadOnlyCollection<int> Shards => [.. _consumers.Keys];

    public int ShardCount => _consumers.Count;

    public int SiteEntities => _sites.Count;

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

    internal void EntityStarted(IActorRef site, SiteState state) => _sites[site] = state;

    internal void EntityStopped(IActorRef site) => _sites.TryRemove(site, out _);

    /// <summary>
    /// The <paramref name="count"/> site entities alive here that were active least recently,
    /// each with the activity it was chosen by (UTC ticks), oldest first.
    /// </summary>
    internal IReadOnlyList<(IActorRef Site, long ActiveTicks)> LeastRecentlyActive(int count)
    {
        if (count <= 0)
        {
            return [];
        }
        // A snapshot: entities start and stop meanwhile, and one that was touched after it is
        // spared by the entity itself (PassivateIfIdle).
        var snapshot = _sites.ToArray();
        var refs = new IActorRef[snapshot.Length];
        var ticks = new long[snapshot.Length];
        for (var i = 0; i < snapshot.Length; i++)
        {
            refs[i] = snapshot[i].Key;
            ticks[i] = snapshot[i].Value.LastActiveTicks;
        }
        Array.Sort(ticks, refs);
        var picked = new (IActorRef, long)[Math.Min(count, refs.Length)];
        for (var i = 0; i < picked.Length; i++)
        {
            picked[i] = (refs[i], ticks[i]);
        }
        return picked;
    }
}
