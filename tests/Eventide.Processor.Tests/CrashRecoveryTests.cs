using System.Diagnostics;
using System.Globalization;
using Eventide.Core;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Processor.Tests;

public class CrashRecoveryTests(EightShardFixture db, ITestOutputHelper output) : IClassFixture<EightShardFixture>
{
    private const int Events = 24_000;

    [Fact]
    public async Task Kill_9_mid_batch_then_restart_loses_nothing_and_stores_nothing_twice()
    {
        var options = db.Processors();
        var timeout = TimeSpan.FromMilliseconds(options.Processor.HeartbeatTimeoutMs);
        var env = new Dictionary<string, string>
        {
            ["Eventide__Shards"] = db.Shards.ToString(CultureInfo.InvariantCulture),
            ["Eventide__Processor__HeartbeatIntervalMs"] = options.Processor.HeartbeatIntervalMs.ToString(CultureInfo.InvariantCulture),
            ["Eventide__Processor__HeartbeatTimeoutMs"] = options.Processor.HeartbeatTimeoutMs.ToString(CultureInfo.InvariantCulture),
            ["Eventide__Processor__BatchSize"] = "200",
            ["Eventide__Processor__FlushIntervalMs"] = "50",
        };
        var baseTime = DateTimeOffset.UtcNow.AddMinutes(-30);
        var written = Enumerable.Range(0, Events)
            .Select(i => InboxTestWriter.Event($"crash-site-{i % 37}", $"c-{i}", baseTime.AddMilliseconds(i)))
            .ToList();
        var survivor = await EventideProcess.StartAsync(db.ConnectionString, "processor", env);
        // Named, so the test can see the victim's transactions in pg_stat_activity.
        var victimConnection = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = "crash-victim" }.ConnectionString;
        var victim = await EventideProcess.StartAsync(victimConnection, "processor", env);
        EventideProcess? restarted = null;
        try
        {
            // Both own shards and are storing: the victim dies with batches in flight.
            await Eventually.WaitAsync(async () => await OwnersAsync() == 2, TimeSpan.FromSeconds(30), "both processors to own shards");
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

            // The survivor takes the dead member's shards once its heartbeat is older than the timeout.
            await Eventually.WaitAsync(async () =>
            {
                await using var conn = await db.DataSource.OpenConnectionAsync();
                var locks = await Db.ShardLocksAsync(conn);
                return locks.Count == db.Shards && locks.Values.SelectMany(p => p).Distinct().Count() == 1;
            }, 3 * timeout, "the survivor to own every shard");
            var takeover = killedAt.Elapsed;
            output.WriteLine($"killed with {storedAtKill}/{Events} stored, {openTransactions} victim transactions open just before; " +
                $"survivor owned every shard {takeover.TotalMilliseconds:F0} ms after the kill (timeout {timeout.TotalMilliseconds} ms)");
            Assert.True(takeover <= 2 * timeout, $"takeover took {takeover.TotalMilliseconds} ms");

            restarted = await EventideProcess.StartAsync(db.ConnectionString, "processor", env);
            await writer;
            await Eventually.WaitAsync(async () => await Db.InboxEventsAsync(db.DataSource) == 0, TimeSpan.FromSeconds(120), "the inbox to drain");

            var stored = await Db.StoredAsync(db.DataSource);
            Assert.Equal(Events, stored.Count);
            Assert.All(stored, kv => Assert.Equal(1, kv.Value));
            Assert.Equal(written.Select(e => (e.SiteId, e.EventId)).Order(), stored.Keys.Order());
            Assert.Equal(Events, await Db.EventCountAsync(db.DataSource));
            Assert.Equal(0, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.dead_letters"));

            // SIGTERM is the graceful path: the member commits, unlocks and deletes
            // its row, so the restarted one takes everything well before the timeout.
            await Eventually.WaitAsync(async () => await OwnersAsync() == 2, TimeSpan.FromSeconds(30), "the restarted processor to own shards");
            var stoppedAt = Stopwatch.StartNew();
            await survivor.StopAsync();
            await Eventually.WaitAsync(async () => await OwnersAsync() == 1 && (await LockedShardsAsync()) == db.Shards,
                2 * timeout, "the restarted processor to own every shard after the survivor's SIGTERM");
            output.WriteLine($"after SIGTERM the remaining processor owned every shard in {stoppedAt.Elapsed.TotalMilliseconds:F0} ms");
            Assert.True(stoppedAt.Elapsed < timeout, $"graceful handoff took {stoppedAt.Elapsed.TotalMilliseconds} ms, as long as a dead member's");
            Assert.Equal(1, await Db.ScalarAsync(db.DataSource,
                $"SELECT count(*) FROM eventide.processor_members WHERE heartbeat_at > now() - interval '{options.Processor.HeartbeatTimeoutMs} milliseconds'"));
        }
        finally
        {
            await survivor.DisposeAsync();
            await victim.DisposeAsync();
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }

    private async Task<int> LockedShardsAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return (await Db.ShardLocksAsync(conn)).Count;
    }

    private async Task<long> OwnersAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return (await Db.ShardLocksAsync(conn)).Values.SelectMany(p => p).Distinct().Count();
    }
}
