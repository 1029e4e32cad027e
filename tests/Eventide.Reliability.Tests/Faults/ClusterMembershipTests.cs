using System.Diagnostics;
using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Faults;

/// <summary>The processor cluster on real processes under load with 20 % duplicates carrying other timestamps.</summary>
public class ClusterMembershipTests(ShardedDatabase db, ITestOutputHelper output) : IClassFixture<ShardedDatabase>
{
    [Fact]
    public Task Joining_1_to_3_spreads_the_shards_with_never_two_holders_of_one_shard() => Bounded.RunAsync(TimeSpan.FromSeconds(150), async () =>
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("join", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        await pipeline.StartIngestionAsync();
        await pipeline.StartProcessorAsync();
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 1), TimeSpan.FromSeconds(30), "the first processor to hold every shard");
        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey) { Clients = 4, MaxRequestsPerClient = 1200, DuplicateShare = 0.2 };
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);

        var joinedAt = Stopwatch.StartNew();
        await Task.WhenAll(pipeline.StartProcessorAsync(), pipeline.StartProcessorAsync());
        var started = joinedAt.Elapsed;
        var samples = 0;
        TimeSpan? converged = null;
        while (joinedAt.Elapsed < TimeSpan.FromSeconds(60))
        {
            var views = await Shards.ViewsAsync(pipeline);
            samples++;
            foreach (var view in views.OfType<ClusterView>())
            {
                Assert.True(view.MaxHoldersPerShard <= 1, $"{view.Self} saw a shard on two members: {string.Join(", ", view.Placements)}");
            }
            if (views.Count == 3 && views.All(v => v?.Settled(ShardedDatabase.Shards, 3) == true))
            {
                converged = joinedAt.Elapsed;
                break;
            }
            await Task.Delay(100);
        }
        Assert.NotNull(converged);
        output.WriteLine($"1 → 3 converged {converged.Value.TotalSeconds:F1} s after the joins began " +
            $"({(converged.Value - started).TotalSeconds:F1} s after both new processors served HTTP); {samples} samples, never two holders");

        await stop.CancelAsync();
        await running;
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));
        output.WriteLine(await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
    });

    [Fact]
    public Task Two_clusters_on_one_database_store_every_acknowledged_event_exactly_once() => Bounded.RunAsync(TimeSpan.FromSeconds(120), async () =>
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("split-brain", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        await pipeline.StartIngestionAsync();
        // Each joins itself: two one-member clusters, each sure it holds every shard.
        var left = await pipeline.StartProcessorAsync(ownCluster: true);
        var right = await pipeline.StartProcessorAsync(ownCluster: true);
        foreach (var member in new[] { left, right })
        {
            await Eventually.WaitAsync(() => ClusterView.ReadAsync(member.Address, Pipeline.AdminToken), v => v?.Settled(ShardedDatabase.Shards, 1) == true,
                TimeSpan.FromSeconds(30), "each processor to hold every shard of its own cluster");
        }
        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey) { Clients = 6, MaxRequestsPerClient = 600, DuplicateShare = 0.2 };
        await load.RunAsync(CancellationToken.None);
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));
        output.WriteLine(await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
        Assert.False(left.HasExited || right.HasExited, "a processor of the split brain exited");
    });
}
