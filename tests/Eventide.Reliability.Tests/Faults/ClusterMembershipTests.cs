using System.Diagnostics;
using System.Text.RegularExpressions;
using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Faults;

/// <summary>The processor cluster on real processes under load with 20 % duplicates carrying other timestamps.</summary>
public partial class ClusterMembershipTests(ShardedDatabase db, ITestOutputHelper output) : IClassFixture<ShardedDatabase>
{
    [Fact]
    public Task Joining_1_to_3_spreads_the_shards_with_never_two_holders_of_one_shard() => Bounded.RunAsync(TimeSpan.FromSeconds(210), async () =>
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
        TimeSpan? allUp = null;
        IReadOnlyList<ClusterView?> views = [];
        // 60 s from serving HTTP: starting two processes beside the load can itself take tens of seconds here.
        while (joinedAt.Elapsed < started + TimeSpan.FromSeconds(60))
        {
            views = await Shards.ViewsAsync(pipeline);
            samples++;
            foreach (var view in views.OfType<ClusterView>())
            {
                Assert.True(view.MaxHoldersPerShard <= 1, $"{view.Self} saw a shard on two members: {string.Join(", ", view.Placements)}");
            }
            if (allUp is null && views.Count == 3 && views.All(v => v?.UpMembers == 3))
            {
                allUp = joinedAt.Elapsed;
            }
            if (views.Count == 3 && views.All(v => v?.Settled(ShardedDatabase.Shards, 3) == true))
            {
                converged = joinedAt.Elapsed;
                break;
            }
            await Task.Delay(100);
        }
        Assert.True(converged is not null, $"not settled 60 s after both new processors served HTTP ({started.TotalSeconds:F1} s after their start); last views: " +
            string.Join(" | ", views.Select(v => v is null ? "no answer" : $"{v.Self}: {string.Join(", ", v.Members.Select(m => $"{m.Key}={m.Value}"))}; {v.HeldShards} shards held by {v.DistinctHolders}")));
        // The rebalance itself is asserted: from every member seeing three members up to every
        // shard held, by all three. Starting the two .NET processes beside the load varies by a
        // factor of several with the machine's load, so those figures are reported only.
        var rebalanced = converged.Value - allUp!.Value;
        Assert.True(rebalanced <= TimeSpan.FromSeconds(10), $"the shards took {rebalanced.TotalSeconds:F1} s to spread after all three members were up");
        output.WriteLine($"1 → 3 converged {converged.Value.TotalSeconds:F1} s after the joins began " +
            $"({(converged.Value - started).TotalSeconds:F1} s after both new processors served HTTP, {rebalanced.TotalSeconds:F1} s after every view showed three members up); " +
            $"{samples} samples, never two holders");

        await stop.CancelAsync();
        await running;
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));
        output.WriteLine(await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
    });

    [Fact]
    public Task Sigterm_of_a_member_under_load_leaves_through_coordinated_shutdown_after_its_shards_flush() => Bounded.RunAsync(TimeSpan.FromSeconds(150), async () =>
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("leave", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        await pipeline.StartIngestionAsync();
        var first = await pipeline.StartProcessorAsync();
        var second = await pipeline.StartProcessorAsync();
        // Its hand-off lines are Information: the other processors log Warning and up.
        var leaver = await pipeline.StartProcessorAsync(settings: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Eventide.Processor"] = "Information",
        });
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 3), TimeSpan.FromSeconds(30), "the three processors to hold shards");
        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey) { Clients = 6, MaxRequestsPerClient = 1500, DuplicateShare = 0.2 };
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Eventually.WaitAsync(async () => (await StoredEvents.CountsAsync(db.DataSource, keys.Site)).Count, n => n >= 3000,
            TimeSpan.FromSeconds(60), "3000 events stored");

        var before = (await ClusterView.ReadAsync(leaver.Address, Pipeline.AdminToken))!;
        var held = before.Placements.Where(p => p.Member == before.Self).Select(p => p.Shard).Order().ToList();
        Assert.NotEmpty(held);
        // What the two that stay say about the leaver, sampled until it is gone from both views.
        var seen = new List<(string Status, bool Reachable)>();
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                foreach (var view in await Task.WhenAll(new[] { first, second }.Select(p => ClusterView.ReadAsync(p.Address, Pipeline.AdminToken))))
                {
                    if (view is not null)
                    {
                        lock (seen)
                        {
                            seen.Add(view.Members.TryGetValue(before.Self, out var status)
                                ? (status, !view.Unreachable.Contains(before.Self))
                                : ("removed", true));
                        }
                    }
                }
                await Task.Delay(50);
            }
        });
        var stoppedAt = System.Diagnostics.Stopwatch.StartNew();
        await leaver.StopAsync(TimeSpan.FromSeconds(60));
        var exited = stoppedAt.Elapsed;
        Assert.True(leaver.ExitCode == 0, $"the processor exited with {leaver.ExitCode} after SIGTERM:\n{leaver.Log}");
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 2), TimeSpan.FromSeconds(30), "the two left to hold every shard");
        var settled = stoppedAt.Elapsed;
        await watching.CancelAsync();
        await watcher;

        // It left: the others saw it leaving, exiting or gone, never unreachable or downed.
        Assert.All(seen, s => Assert.True(s.Reachable && s.Status is "up" or "leaving" or "exiting" or "removed",
            $"the leaver was seen {s.Status}{(s.Reachable ? "" : ", unreachable")}"));
        Assert.Contains(seen, s => s.Status == "removed");
        // Every shard it held committed its in-flight batch before it stopped (ShardConsumerEntity logs it then).
        var handedOff = HandedOff().Matches(leaver.Log).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.True(held.All(handedOff.Contains), $"held {string.Join(",", held)}, handed off after their flush {string.Join(",", handedOff.Order())}:\n{leaver.Log}");
        var statuses = string.Join(" → ", seen.Select(s => s.Status).Where((s, i) => i == 0 || s != seen[i - 1].Status));
        output.WriteLine($"SIGTERM: exited 0 after {exited.TotalSeconds:F1} s having handed off {held.Count} shards; the two left held every shard " +
            $"{settled.TotalSeconds:F1} s after the signal; the others saw it {statuses}");

        var acknowledgedAtLeave = load.AcknowledgedCount;
        await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= acknowledgedAtLeave + 1500,
            TimeSpan.FromSeconds(60), "1500 more acknowledged events after the leave");
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

    [GeneratedRegex(@"Shard (\d+) was handed off after committing its in-flight batch")]
    private static partial Regex HandedOff();
}
