using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Faults;

/// <summary>Processors scaled 1 → 3 → 1 under continuous load: nothing lost, nothing twice.</summary>
public class ScalingTests(ShardedDatabase db, ITestOutputHelper output) : IClassFixture<ShardedDatabase>
{
    [Fact]
    public Task Scaling_processors_1_to_3_to_1_during_load_loses_nothing_and_stores_nothing_twice() => Bounded.RunAsync(TimeSpan.FromSeconds(150), async () =>
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("scaling", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        await pipeline.StartIngestionAsync();
        await pipeline.StartProcessorAsync();
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 1), TimeSpan.FromSeconds(30), "the first processor to hold every shard");
        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey) { Clients = 6, MaxRequestsPerClient = 2000, DuplicateShare = 0.2 };
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);

        async Task MoreAcknowledgedAsync(int more, string phase)
        {
            var from = load.AcknowledgedCount;
            await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= from + more, TimeSpan.FromSeconds(60),
                $"{more} more acknowledged events {phase}");
        }

        await MoreAcknowledgedAsync(1500, "with one processor");
        var second = await pipeline.StartProcessorAsync();
        var third = await pipeline.StartProcessorAsync();
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 3), TimeSpan.FromSeconds(30), "three processors to share the shards");
        await MoreAcknowledgedAsync(1500, "with three processors");
        // Scale-in is graceful (SIGTERM, as Kubernetes does): in-flight batches commit, shards are handed over.
        await Task.WhenAll(second.StopAsync(), third.StopAsync());
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 1), TimeSpan.FromSeconds(30), "the remaining processor to hold every shard again");
        await MoreAcknowledgedAsync(1500, "after scaling back to one");
        await stop.CancelAsync();
        await running;
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));

        output.WriteLine(await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
        // The faults are behind the inbox: ingestion answers every request, 202 (or 503 if a commit ran late on this busy machine).
        Assert.All(load.Outcomes, o => Assert.True(o.Status is 202 or 503, $"answer {o.Status}"));
    });
}
