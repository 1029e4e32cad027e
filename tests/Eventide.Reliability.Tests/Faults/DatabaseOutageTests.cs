using Eventide.Core;
using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Faults;

/// <summary>
/// PostgreSQL (a private server) stopped for 10 s under load, with ingestion and a
/// processor running as processes that are never restarted.
/// </summary>
public class DatabaseOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public Task Database_down_10_s_under_load_gets_fast_503s_then_recovers_without_restarts_and_loses_nothing() => Bounded.RunAsync(TimeSpan.FromSeconds(150), async () =>
    {
        await using var pg = await PrivatePostgres.StartAsync();
        await pg.CreateDatabaseAsync("eventide");
        var connectionString = pg.ConnectionStringFor("eventide");
        var options = new EventideOptions { Shards = ShardedDatabase.Shards };
        options.Database.ConnectionString = connectionString;
        options.Database.Timescale = TimescaleMode.Off;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new Migrator(dataSource, options, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        var keys = await new SiteStore(dataSource).CreateAsync("outage", CancellationToken.None);

        await using var pipeline = new Pipeline(connectionString);
        var ingestion = await pipeline.StartIngestionAsync();
        var processor = await pipeline.StartProcessorAsync();
        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey) { Clients = 4, MaxRequestsPerClient = 3000 };
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= 1000, TimeSpan.FromSeconds(60), "1000 acknowledged events");

        await pg.StopServerAsync();
        var down = load.Now;
        // The fault itself: the database stays down this long while the load goes on.
        await Task.Delay(Outage);
        var upCalled = load.Now;
        await pg.StartServerAsync();
        var up = load.Now;

        var firstSuccess = await Eventually.WaitAsync(
            () => Task.FromResult(load.Outcomes.Where(o => o.Status == 202 && o.StartedAt >= up).Select(o => (TimeSpan?)(o.StartedAt + o.Elapsed)).Min()),
            t => t is not null, TimeSpan.FromSeconds(30), "a 202 for a request sent after the database returned");
        var acknowledgedAfter = load.AcknowledgedCount;
        await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= acknowledgedAfter + 1000,
            TimeSpan.FromSeconds(30), "1000 more acknowledged events after the outage");
        await stop.CancelAsync();
        await running;

        var during = load.Outcomes.Where(o => o.StartedAt >= down && o.StartedAt < upCalled).ToList();
        var slow = during.Where(o => o.Elapsed >= TimeSpan.FromSeconds(1)).ToList();
        var wrong = during.Where(o => o.Status != 503 || !o.HasRetryAfter).ToList();
        var recovery = firstSuccess!.Value - up;
        output.WriteLine($"{during.Count} requests during the {Outage.TotalSeconds} s outage, slowest {during.Max(o => o.Elapsed).TotalMilliseconds:F0} ms; " +
            $"first 202 {recovery.TotalMilliseconds:F0} ms after the database was back; slowest sent at " +
            string.Join(", ", during.OrderByDescending(o => o.Elapsed).Take(3).Select(o => $"{(o.StartedAt - down).TotalMilliseconds:F0} ms ({o.Elapsed.TotalMilliseconds:F0} ms, {o.Status})")) +
            $"; the server was asked to start {(upCalled - down).TotalMilliseconds:F0} ms in");
        Assert.True(during.Count >= 50, $"only {during.Count} requests were sent during the outage");
        Assert.True(wrong.Count == 0, $"{wrong.Count} answers during the outage were not 503 with Retry-After: " +
            string.Join(", ", wrong.Take(5).Select(o => $"{o.Status} retry-after={o.HasRetryAfter}")));
        Assert.True(slow.Count == 0, $"{slow.Count} answers during the outage took 1 s or more: " +
            string.Join(", ", slow.Take(5).Select(o => $"{o.Elapsed.TotalMilliseconds:F0} ms (status {o.Status}, sent {(o.StartedAt - down).TotalMilliseconds:F0} ms into the outage)")));
        Assert.True(recovery <= TimeSpan.FromSeconds(5), $"requests succeeded again only {recovery.TotalSeconds:F1} s after the database returned");

        // Processors resume by themselves: the backlog drains with the same processes.
        // A fresh pool: the test's own connections died with the server.
        await using var after = NpgsqlDataSource.Create(connectionString);
        await StoredEvents.DrainAsync(after, TimeSpan.FromSeconds(60));
        Assert.False(ingestion.HasExited, "the ingestion process exited");
        Assert.False(processor.HasExited, "the processor process exited");
        output.WriteLine(await StoredEvents.AssertExactlyOnceAsync(after, load));
    });
}
