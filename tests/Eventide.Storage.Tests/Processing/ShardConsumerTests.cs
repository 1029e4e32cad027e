using Eventide.Core;
using Eventide.Storage.Processing;
using Eventide.Testing;

namespace Eventide.Storage.Tests.Processing;

public class ShardConsumerTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    private const int Shards = 64;
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddHours(-1);

    private ShardConsumer Consumer() => new(db.DataSource, TimeSpan.FromHours(24));

    private static string Site(string prefix, int shard)
    {
        for (var i = 0; ; i++)
        {
            var site = $"{prefix}-{i}";
            if (ShardFunction.ShardOf(site, Shards) == shard)
            {
                return site;
            }
        }
    }

    [Fact]
    public async Task Consume_stores_each_id_once_even_with_other_timestamps_in_and_across_batches()
    {
        var site = Site("dedupe", 1);
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [
            InboxTestWriter.Event(site, "a", T0),
            InboxTestWriter.Event(site, "b", T0.AddSeconds(1)),
            InboxTestWriter.Event(site, "a", T0.AddSeconds(30)),
        ]);
        var first = await Consumer().ConsumeAsync(1, 1000, null, CancellationToken.None);
        Assert.Equal(2, first.Stored.Count);
        Assert.Single(first.Duplicates);

        // A fresh consumer (as after a restart or handoff) has no cache: event_ids decides.
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [
            InboxTestWriter.Event(site, "b", T0.AddMinutes(5)),
            InboxTestWriter.Event(site, "c", T0.AddMinutes(5)),
        ]);
        var second = await Consumer().ConsumeAsync(1, 1000, null, CancellationToken.None);
        Assert.Equal(["c"], second.Stored.Select(e => e.EventId));
        Assert.Equal(["b"], second.Duplicates.Select(e => e.EventId));

        var stored = await Db.StoredAsync(db.DataSource);
        Assert.Equal(new[] { "a", "b", "c" }, stored.Keys.Where(k => k.Site == site).Select(k => k.Id).Order());
        Assert.All(stored.Where(k => k.Key.Site == site), kv => Assert.Equal(1, kv.Value));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.inbox WHERE shard = 1"));
    }

    [Fact]
    public async Task Consume_drops_a_repeat_the_dedupe_record_forgot_when_the_unique_index_holds_it()
    {
        var site = Site("forgot", 7);
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [InboxTestWriter.Event(site, "old", T0)]);
        Assert.Single((await Consumer().ConsumeAsync(7, 1000, null, CancellationToken.None)).Stored);
        // As after the window passed and its event_ids partition was dropped: only events remembers.
        await Db.ScalarAsync(db.DataSource, $"WITH d AS (DELETE FROM eventide.event_ids WHERE key = eventide.event_key('{site}', 'old') RETURNING 1) SELECT count(*) FROM d");

        // The fast path's plain insert meets the unique index; the batch goes again on the isolating path.
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [InboxTestWriter.Event(site, "old", T0), InboxTestWriter.Event(site, "new", T0.AddSeconds(1))]);
        var result = await Consumer().ConsumeAsync(7, 1000, null, CancellationToken.None);
        Assert.Empty(result.DeadLettered);

        var stored = await Db.StoredAsync(db.DataSource);
        Assert.Equal(new[] { "new", "old" }, stored.Keys.Where(k => k.Site == site).Select(k => k.Id).Order());
        Assert.All(stored.Where(k => k.Key.Site == site), kv => Assert.Equal(1, kv.Value));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.inbox WHERE shard = 7"));
    }

    [Fact]
    public async Task Consume_claims_rows_in_id_order_up_to_the_batch_size()
    {
        var site = Site("claim", 2);
        for (var row = 0; row < 4; row++)
        {
            await InboxTestWriter.WriteAsync(db.DataSource, Shards,
                [.. Enumerable.Range(0, 3).Select(i => InboxTestWriter.Event(site, $"{row}-{i}", T0.AddSeconds(row)))]);
        }
        // 5 events: the second row (events 3-5) crosses the limit and is the last claimed.
        var result = await Consumer().ConsumeAsync(2, 5, null, CancellationToken.None);
        Assert.Equal(2, result.ClaimedRows);
        Assert.True(result.HasMore);
        Assert.Equal(new[] { "0-0", "0-1", "0-2", "1-0", "1-1", "1-2" }, result.Stored.Select(e => e.EventId).Order());
        Assert.Equal(6, await Db.ScalarAsync(db.DataSource, "SELECT sum(event_count) FROM eventide.inbox WHERE shard = 2"));
    }

    [Fact]
    public async Task Consume_dead_letters_a_poison_event_and_stores_the_rest_of_its_batch()
    {
        var site = Site("poison", 3);
        var events = Enumerable.Range(0, 9).Select(i => InboxTestWriter.Event(site, $"ok-{i}", T0.AddSeconds(i), """{"n":1}""")).ToList();
        events.Insert(4, InboxTestWriter.Event(site, "bad", T0.AddSeconds(4), """{"a":"\u0000"}"""));
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, events);

        var result = await Consumer().ConsumeAsync(3, 1000, null, CancellationToken.None);

        Assert.Equal(9, result.Stored.Count);
        var dead = Assert.Single(result.DeadLettered);
        Assert.Equal("bad", dead.EventId);
        Assert.Equal(9, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.events WHERE site_id = '{site}'"));
        await using var cmd = db.DataSource.CreateCommand(
            "SELECT error, payload->>'event_id', source FROM eventide.dead_letters WHERE site_id = $1");
        cmd.Parameters.AddWithValue(site);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Contains("Unicode", reader.GetString(0), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("bad", reader.GetString(1));
        Assert.Equal("processor", reader.GetString(2));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task Consume_dead_letters_an_undecodable_row_whole_and_stores_the_other_rows()
    {
        var site = Site("garbage", 4);
        await InboxTestWriter.WriteRawAsync(db.DataSource, 4, 7, [1, 200, 1, 2, 3]);
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [InboxTestWriter.Event(site, "fine", T0)]);

        var result = await Consumer().ConsumeAsync(4, 1000, null, CancellationToken.None);

        Assert.Equal(["fine"], result.Stored.Select(e => e.EventId));
        var dead = Assert.Single(result.DeadLettered);
        Assert.Null(dead.SiteId);
        Assert.Equal(7, dead.EventCount);
        Assert.Contains("undecodable", dead.Error, StringComparison.Ordinal);
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.inbox WHERE shard = 4"));
    }

    [Fact]
    public async Task Two_consumers_of_one_shard_at_once_store_each_id_once()
    {
        // A split brain: two clusters each believe they hold shard 5. Duplicates
        // of every id sit in different inbox rows with other timestamps.
        var site = Site("split", 5);
        var ids = Enumerable.Range(0, 200).Select(i => $"s-{i}").ToList();
        foreach (var chunk in ids.Chunk(20))
        {
            await InboxTestWriter.WriteAsync(db.DataSource, Shards, [.. chunk.Select(id => InboxTestWriter.Event(site, id, T0))]);
            await InboxTestWriter.WriteAsync(db.DataSource, Shards, [.. chunk.Select(id => InboxTestWriter.Event(site, id, T0.AddSeconds(7)))]);
        }
        var a = Consumer();
        var b = Consumer();
        async Task DrainAsync(ShardConsumer consumer)
        {
            while ((await consumer.ConsumeAsync(5, 30, null, CancellationToken.None)).ClaimedRows > 0)
            {
            }
        }
        await Task.WhenAll(DrainAsync(a), DrainAsync(b), DrainAsync(a), DrainAsync(b));

        var stored = await Db.StoredAsync(db.DataSource);
        Assert.Equal(ids.Order(), stored.Keys.Where(k => k.Item1 == site).Select(k => k.Item2).Order());
        Assert.All(stored.Where(k => k.Key.Item1 == site), kv => Assert.Equal(1, kv.Value));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.inbox WHERE shard = 5"));
    }

    [Fact]
    public async Task Consume_skips_ids_the_cache_knows_without_storing_them_again()
    {
        var site = Site("cache", 6);
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [InboxTestWriter.Event(site, "k", T0), InboxTestWriter.Event(site, "n", T0)]);
        var result = await Consumer().ConsumeAsync(6, 1000, new KnownIds((site, "k")), CancellationToken.None);
        Assert.Equal(["n"], result.Stored.Select(e => e.EventId));
        Assert.Equal(["k"], result.Duplicates.Select(e => e.EventId));
    }

    private sealed class KnownIds(params (string Site, string Id)[] known) : IRecentIds
    {
        public ValueTask<IReadOnlySet<(string SiteId, string EventId)>> KnownAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlySet<(string, string)>>(events.Select(e => (e.SiteId, e.EventId)).Where(known.Contains).ToHashSet());
    }
}
