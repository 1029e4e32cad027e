using System.Diagnostics;
using System.Globalization;
using Eventide.Core;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Processor.Tests;

[Collection(ClusterMembersCollection.Name)]
public class CrashRecoveryTests(EightShardFixture db, ITestOutputHelper output) : IClassFixture<EightShardFixture>
{
    private const int Events = 24_000;

    [Fact]
    public async Task Kill_9_mid_batch_then_restart_loses_nothing_and_stores_nothing_twice()
    {
        // Failure detection (3 s) + split-brain stable-after (5 s) + the keeper's touch: well under 30 s.
        var timeout = TimeSpan.FromSeconds(30);
        var survivorPort = EventideProcess.FreePort();
        Dictionary<string, string> Env(int port) => new(ClusterView.Member(port, port == survivorPort ? null : survivorPort))
        {
            ["Eventide__Shards"] = db.Shards.ToString(CultureInfo.InvariantCulture),
            ["Eventide__Admin__Token"] = ShardedFixture.AdminToken,
            ["Eventide__Processor__BatchSize"] = "200",
            ["Eventide__Processor__FlushIntervalMs"] = "50",
        };
        var baseTime = DateTimeOffset.UtcNow.AddMinutes(-30);
        var written = Enumerable.Range(0, Events)
            .Select(i => InboxTestWriter.Event($"crash-site-{i % 37}", $"c-{i}", baseTime.AddMilliseconds(i)))
            .ToList();
        var survivor = await EventideProcess.StartAsync(db.ConnectionString, "processor", Env(survivorPort));
        // Named, so the test can see the victim's transactions in pg_stat_activity.
        var victimConnection = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = "crash-victim" }.ConnectionString;
        var victim = await EventideProcess.StartAsync(victimConnection, "processor", Env(EventideProcess.FreePort()));
        // Three members, so the two left after the kill are a majority whatever the addresses
        // (an even split keeps the side with the lowest address, which may be the dead one's).
        var bystander = await EventideProcess.StartAsync(db.ConnectionString, "processor", Env(EventideProcess.FreePort()));
        EventideProcess? restarted = null;
        try
        {
            // Both own shards and are storing: the victim dies with batches in flight.
            await Eventually.WaitAsync(() => ViewAsync(survivor), v => v?.Settled(db.Shards, 3) == true, TimeSpan.FromSeconds(30), "the three processors to hold shards");
            // Ingestion keeps committing throughout: before, during and after the kill.
            var writer = Task.Run(async () =>
            {
                foreach (var chunk in written.Chunk(100))
                {
                    await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, chunk);
                }
            });
            await Eventually.WaitAsync(async () => await Db.EventCountAsync(db.DataSource) >= 2000, TimeSpan.FromSeconds(60), "storing to be under way");
            // Kill while the victim has a consume transaction open: it claimed rows it has not committed.
            var openTransactions = await Eventually.WaitAsync(() => Db.ScalarAsync(db.DataSource, """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'crash-victim' AND xact_start IS NOT NULL
                """), n => n > 0, TimeSpan.FromSeconds(30), "a consume transaction of the victim to be open");
            var killedAt = Stopwatch.StartNew();
            victim.Kill();
            var storedAtKill = await Db.EventCountAsync(db.DataSource);
            Assert.True(storedAtKill < Events, "the victim was killed after everything was stored; the test proves nothing");

            // The two left are the majority: they down the dead member and take its shards.
            await Eventually.WaitAsync(() => ViewAsync(survivor), v => v?.Settled(db.Shards, 2) == true, timeout, "the survivors to hold every shard");
            var takeover = killedAt.Elapsed;
            output.WriteLine($"killed with {storedAtKill}/{Events} stored, {openTransactions} victim transactions open just before; " +
                $"survivors held every shard {takeover.TotalMilliseconds:F0} ms after the kill (timeout {timeout.TotalMilliseconds} ms)");
            restarted = await EventideProcess.StartAsync(db.ConnectionString, "processor", Env(EventideProcess.FreePort()));
            await writer;
            await Eventually.WaitAsync(async () => await Db.InboxEventsAsync(db.DataSource) == 0, TimeSpan.FromSeconds(120), "the inbox to drain");

            var stored = await Db.StoredAsync(db.DataSource);
            Assert.Equal(Events, stored.Count);
            Assert.All(stored, kv => Assert.Equal(1, kv.Value));
            Assert.Equal(written.Select(e => (e.SiteId, e.EventId)).Order(), stored.Keys.Order());
            Assert.Equal(Events, await Db.EventCountAsync(db.DataSource));
            Assert.Equal(0, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.dead_letters"));

            // SIGTERM is the graceful path: the member leaves through CoordinatedShutdown after
            // its shards flushed, so the restarted one takes everything without a failure detector.
            await Eventually.WaitAsync(() => ViewAsync(restarted), v => v?.Settled(db.Shards, 3) == true, TimeSpan.FromSeconds(30), "the restarted processor to hold shards");
            var stoppedAt = Stopwatch.StartNew();
            await survivor.StopAsync();
            await Eventually.WaitAsync(() => ViewAsync(restarted), v => v?.Settled(db.Shards, 2) == true,
                TimeSpan.FromSeconds(20), "the survivor's shards to move after its SIGTERM");
            output.WriteLine($"after SIGTERM the remaining processor held every shard in {stoppedAt.Elapsed.TotalMilliseconds:F0} ms");
        }
        finally
        {
            await survivor.DisposeAsync();
            await victim.DisposeAsync();
            await bystander.DisposeAsync();
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }

    private static Task<ClusterView?> ViewAsync(EventideProcess process) => ClusterView.ReadAsync(process.Address, ShardedFixture.AdminToken);
}
