using System.Collections.Concurrent;
using Eventide.Core;
using Eventide.Storage.Inbox;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Inbox;

public class InboxWriterTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    private const int Shards = 64;

    private static EventRecord Event(string site) =>
        new(site, "e", DateTimeOffset.UtcNow, "w-" + Guid.NewGuid().ToString("N"), null, null, null, null, null, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Write_commits_the_rows_and_then_notifies_their_shards()
    {
        var events = new[] { "alpha", "beta", "gamma", "alpha" }.Select(Event).ToList();
        var expectedShards = events.Select(e => ShardFunction.ShardOf(e.SiteId, Shards)).Distinct().Order().ToList();
        var received = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var listener = new InboxNotifications(db.DataSource).ListenAsync(received.Enqueue, listening.SetResult, stop.Token);
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var writer = new InboxWriter(db.DataSource, Shards);
        Assert.Equal(expectedShards.Count, await writer.WriteAsync(events, () => true, CancellationToken.None, TimeSpan.FromSeconds(5)));
        await writer.Notifier.IdleAsync();

        var notified = await Eventually.WaitAsync(
            () => Task.FromResult(received.SelectMany(p => p.Split(',')).Select(int.Parse).Distinct().Order().ToList()),
            shards => shards.Count >= expectedShards.Count, TimeSpan.FromSeconds(10), "the notification");
        Assert.Equal(expectedShards, notified);
        Assert.Subset(await InboxReader.EventIdsAsync(db.DataSource), events.Select(e => e.EventId).ToHashSet());
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listener);
    }

    [Fact]
    public async Task Write_refused_by_mayCommit_sends_nothing_and_stores_nothing()
    {
        var e = Event("refused");
        var writer = new InboxWriter(db.DataSource, Shards);
        var ex = await Assert.ThrowsAsync<InboxCommitException>(() => writer.WriteAsync([e], () => false, CancellationToken.None, TimeSpan.FromSeconds(5)));
        Assert.False(ex.InDoubt);
        Assert.DoesNotContain(e.EventId, await InboxReader.EventIdsAsync(db.DataSource));
    }

    [Fact]
    public async Task Write_stopped_by_its_statement_timeout_rolls_back_and_says_so()
    {
        var e = Event("blocked");
        var writer = new InboxWriter(db.DataSource, Shards);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            // Every inbox insert reads inbox_state: holding it exclusively hangs the insert.
            await using (var cmd = new NpgsqlCommand("LOCK TABLE eventide.inbox_state IN ACCESS EXCLUSIVE MODE", conn, tx))
            {
                await cmd.ExecuteNonQueryAsync();
            }
            // The insert and its commit are one implicit transaction: the server's timeout ends
            // it with an error, so the outcome is known (nothing stored), not in doubt.
            var ex = await Assert.ThrowsAsync<InboxCommitException>(() =>
                writer.WriteAsync([e], () => true, CancellationToken.None, TimeSpan.FromMilliseconds(200)));
            Assert.False(ex.InDoubt, ex.Message);
            await tx.RollbackAsync();
        }
        Assert.DoesNotContain(e.EventId, await InboxReader.EventIdsAsync(db.DataSource));
        // Once the lock is gone, the inbox takes writes again.
        await writer.WriteAsync([Event("after")], null, CancellationToken.None);
    }

    [Fact]
    public async Task Payloads_are_stored_compressed_with_lz4_and_read_back_whole()
    {
        // 200 events of one site: one row whose payload (~16 KB) is past the 2 KB at which the
        // server compresses a value.
        var events = Enumerable.Range(0, 200)
            .Select(i => Event("compressed") with { Path = $"/products/{i}", Properties = $"{{\"plan\":\"pro\",\"n\":{i}}}" })
            .ToList();
        var writer = new InboxWriter(db.DataSource, Shards);
        Assert.Equal(1, await writer.WriteAsync(events, null, CancellationToken.None));

        await using var cmd = db.DataSource.CreateCommand(
            "SELECT pg_column_compression(payload), length(payload), payload FROM eventide.inbox WHERE shard = $1 ORDER BY id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ShardFunction.ShardOf("compressed", Shards) });
        await using var reader = await cmd.ExecuteReaderAsync();
        var found = false;
        while (await reader.ReadAsync())
        {
            var stored = InboxCodec.Decode(reader.GetFieldValue<byte[]>(2));
            if (stored[0].EventId != events[0].EventId)
            {
                continue;
            }
            found = true;
            Assert.Equal("lz4", reader.GetString(0));
            Assert.True(reader.GetInt32(1) > 2048, $"{reader.GetInt32(1)} bytes");
            Assert.Equal(events.Select(e => (e.EventId, e.Path, e.Properties)), stored.Select(e => (e.EventId, e.Path, e.Properties)));
        }
        Assert.True(found, "the row was not in the inbox");
    }

    [Fact]
    public void Payloads_split_long_shard_lists_below_the_notify_limit()
    {
        var shards = Enumerable.Range(0, 4096).ToList();
        var payloads = InboxNotifier.Payloads(shards);
        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(p.Length < 8000, $"{p.Length} characters"));
        Assert.Equal(shards, payloads.SelectMany(p => p.Split(',')).Select(int.Parse));
    }
}
