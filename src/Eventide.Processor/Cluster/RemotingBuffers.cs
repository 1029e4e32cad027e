namespace Eventide.Processor.Cluster;

/// <summary>
/// Which byte-buffer allocator Akka.Remote's DotNetty transport uses for the connections other
/// members open to this one. Akka.Remote gives its outbound and listening channels an unpooled
/// allocator, but a channel it accepts takes DotNetty's process-wide default, which is pooled:
/// the first connection from a joining member makes that pool claim a 16 MB arena chunk
/// (8 KiB pages, order 11) on the large object heap, one more for each arena a later connection
/// lands on, all kept for the life of the process. In the bench's horizontal phase the first
/// processor's large object heap went from 8 to 40 MB through two joins with the pooled default,
/// and stayed under 11 MB with unpooled buffers (docs/benchmark.md). Remoting carries the
/// cluster's gossip and the sharding coordinator's messages; events reach their shard through
/// the inbox, so the pool has no hot path to speed up.
/// </summary>
/// <remarks>
/// DotNetty reads its allocator type once, from the environment variable
/// <c>io.netty.allocator.type</c>, the first time its buffer utilities are used; so this sets
/// the variable before the actor system starts, and leaves a value the environment already
/// gives (<c>pooled</c> brings the pool back).
/// </remarks>
internal static class RemotingBuffers
{
    internal const string Variable = "io.netty.allocator.type";

    internal const string Unpooled = "unpooled";

    /// <summary>Chooses unpooled buffers unless the environment chose; returns the choice in effect.</summary>
    internal static string PreferUnpooled()
    {
        var chosen = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(chosen))
        {
            return chosen.Trim();
        }
        Environment.SetEnvironmentVariable(Variable, Unpooled);
        return Unpooled;
    }
}
