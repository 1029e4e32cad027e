using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;

namespace Eventide.Processor.Cluster;

/// <summary>
/// What the rest of the process needs from the running cluster: the shard
/// region (null until the schema is known and sharding has started), the
/// shard count, and when each member was first seen up.
/// </summary>
public sealed class ProcessorClusterState
{
    private readonly ConcurrentDictionary<Address, DateTimeOffset> _upSince = new();

    public Akka.Cluster.Cluster? Cluster { get; private set; }

    public IActorRef? Region { get; private set; }

    /// <summary>The shard count of the database; 0 until known.</summary>
    public int Shards { get; private set; }

    /// <summary>Why the member cannot work right now (no schema yet), or null.</summary>
    public string? Problem { get; internal set; }

    public bool IsUp => Cluster?.SelfMember.Status == MemberStatus.Up;

    public DateTimeOffset? UpSince(Address address) => _upSince.TryGetValue(address, out var at) ? at : null;

    internal void Started(Akka.Cluster.Cluster cluster, IActorRef region, int shards)
    {
        Cluster = cluster;
        Shards = shards;
        Region = region;
        Problem = null;
    }

    internal void MemberUp(Address address, DateTimeOffset at) => _upSince.TryAdd(address, at);

    internal void MemberRemoved(Address address) => _upSince.TryRemove(address, out _);
}
