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
        // Kill with requests on the wire, so some are cut off mid-commit.
        await Eventually.WaitAsync(() => Task.FromResult(load.InFlight), n => n >= 4, TimeSpan.FromSeconds(10), "4 requests in flight");
        ingestion.Kill();
        var killedAt = load.Now;
        var acknowledgedAtKill = load.AcknowledgedCount;
        await pipeline.StartIngestionAsync();
        await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= acknowledgedAtKill + 2000,
            TimeSpan.FromSeconds(60), "2000 more acknowledged events from the restarted ingestion");
        await stop.CancelAsync();
        await running;
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));

        // Requests on the wire at the kill may still get their 202 (written before the kill) or be cut off;
        // either way the load ran across the kill: requests found no server until the restart.
        var cutOff = load.Outcomes.Count(o => o.Status == 0 && o.StartedAt < killedAt);
        var refused = load.Outcomes.Count(o => o.Status == 0);
        output.WriteLine($"{cutOff} requests cut off by the kill, {refused} without an answer in all; " + await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
        Assert.True(refused > 0, "no request went unanswered: the kill did not happen under load");
    });
}
