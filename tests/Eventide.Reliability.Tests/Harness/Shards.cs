using Eventide.Testing;

namespace Eventide.Reliability.Tests.Harness;

/// <summary>Who holds which shard, as every live processor's GET /v1/admin/cluster tells it.</summary>
public static class Shards
{
    /// <summary>The views of every live processor; null entries for one that did not answer.</summary>
    public static async Task<IReadOnlyList<ClusterView?>> ViewsAsync(Pipeline pipeline) =>
        await Task.WhenAll(pipeline.Processors.Select(p => ClusterView.ReadAsync(p.Address, Pipeline.AdminToken)));

    /// <summary>Every live processor answers, sees <paramref name="members"/> members up, and every shard held by one of them.</summary>
    public static async Task<bool> SettledAsync(Pipeline pipeline, int members, int shards = ShardedDatabase.Shards)
    {
        var views = await ViewsAsync(pipeline);
        return views.Count == members && views.All(v => v?.Settled(shards, members) == true);
    }
}
