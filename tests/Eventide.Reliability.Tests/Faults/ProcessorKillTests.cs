using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Faults;

/// <summary>kill -9 of one of three processors while ingestion takes load: nothing lost, nothing twice.</summary>
public class ProcessorKillTests(ShardedDatabase db, ITestOutputHelper output) : IClassFixture<ShardedDatabase>
{
    [Fact]
    public Task Kill_9_of_a_processor_during_load_loses_nothing_and_stores_nothing_twice() => Bounded.RunAsync(TimeSpan.FromSeconds(120), async () =>
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("kill-processor", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        await pipeline.StartIngestionAsync();
        // Three, so the two left are a majority whatever their addresses.
        await pipeline.StartProcessorAsync();
        await pipeline.StartProcessorAsync();
        var victim = await pipeline.StartProcessorAsync();
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 3), TimeSpan.FromSeconds(30), "the three processors to hold shards");
        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey) { Clients = 6, MaxRequestsPerClient = 1500, DuplicateShare = 0.2 };
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);

        // Kill while both are storing this load.
        await Eventually.WaitAsync(async () => (await StoredEvents.CountsAsync(db.DataSource, keys.Site)).Count, n => n >= 3000,
            TimeSpan.FromSeconds(60), "3000 events stored");
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        victim.Kill();
        var storedAtKill = (await StoredEvents.CountsAsync(db.DataSource, keys.Site)).Count;
        // Failure detection, then keep-majority downs the dead member and its shards start on the others.
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 2), TimeSpan.FromSeconds(30), "the survivors to hold every shard");
        output.WriteLine($"the survivors held every shard {killedAt.Elapsed.TotalSeconds:F1} s after the kill");
        var acknowledgedAtTakeover = load.AcknowledgedCount;
        await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= acknowledgedAtTakeover + 2000,
            TimeSpan.FromSeconds(60), "2000 more acknowledged events after the takeover");
        await stop.CancelAsync();
        await running;
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));

        output.WriteLine($"killed with {storedAtKill} stored; " + await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
        // The fault is behind the inbox: ingestion answers every request, 202 (or 503 if a commit ran late on this busy machine).
        Assert.All(load.Outcomes, o => Assert.True(o.Status is 202 or 503, $"answer {o.Status}"));
    });
}
