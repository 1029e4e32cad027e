using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Faults;

/// <summary>kill -9 of the ingestion process while clients post: every 202 is stored exactly once.</summary>
public class IngestionKillTests(ShardedDatabase db, ITestOutputHelper output) : IClassFixture<ShardedDatabase>
{
    [Fact]
    public Task Kill_9_of_ingestion_during_load_stores_every_acknowledged_id_exactly_once() => Bounded.RunAsync(TimeSpan.FromSeconds(120), async () =>
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("kill-ingestion", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        var ingestion = await pipeline.StartIngestionAsync();
        await pipeline.StartProcessorAsync();
        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey) { Clients = 6, MaxRequestsPerClient = 1500 };
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);

        await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= 3000, TimeSpan.FromSeconds(60), "3000 acknowledged events");
        ingestion.Kill();
        var killedAt = load.Now;
        var acknowledgedAtKill = load.AcknowledgedCount;
        await pipeline.StartIngestionAsync();
        await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= acknowledgedAtKill + 2000,
            TimeSpan.FromSeconds(60), "2000 more acknowledged events from the restarted ingestion");
        await stop.CancelAsync();
        await running;
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));

        var cutOff = load.Outcomes.Count(o => o.Status == 0 && o.StartedAt < killedAt);
        output.WriteLine($"{cutOff} requests were cut off by the kill; " + await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
        Assert.True(cutOff > 0, "no request was in flight at the kill: the test proved nothing");
    });
}
