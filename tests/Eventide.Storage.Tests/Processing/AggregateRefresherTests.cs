using Eventide.Core;
using Eventide.Storage;
using Eventide.Storage.Processing;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Processing;

/// <summary>
/// Plain mode's materialized aggregates: the storing transaction folds its events into them,
/// direct writers mark hours dirty and the refresher materializes those, and the views count
/// every stored event exactly once in every state, including while writers and a refresh overlap.
/// </summary>
public class AggregateRefresherTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    private const int Shards = 64;
    private static readonly DateTimeOffset Hour = new(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-2).AddHours(10), TimeSpan.Zero);

    private AggregateRefresher Refresher => new(db.DataSource);

    private static string Site(string prefix)
    {
        for (var i = 0; ; i++)
        {
            var site = $"{prefix}-{i}";
            if (ShardFunction.ShardOf(site, Shards) == 3)
            {
                return site;
            }
        }
    }

    [Fact]
    public async Task Consumed_events_are_folded_into_the_materialized_rows_and_leave_no_mark()
    {
        var site = Site("agg");
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [
            InboxTestWriter.Event(site, "a", Hour.AddMinutes(1)),
            InboxTestWriter.Event(site, "b", Hour.AddMinutes(1), name: "click"),
            InboxTestWriter.Event(site, "c", Hour.AddHours(1).AddMinutes(5)),
        ]);
        await new ShardConsumer(db.DataSource, TimeSpan.FromHours(24)).ConsumeAsync(3, 1000, null, CancellationToken.None);
        Assert.Equal(0, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 2, hour: 2, day: 3, users: 3);
        Assert.Equal(3, await Db.ScalarAsync(db.DataSource, $"SELECT sum(events) FROM eventide.events_1d_mat WHERE site_id = '{site}'"));
        Assert.Equal(3, await Db.ScalarAsync(db.DataSource, $"SELECT sum(events) FROM eventide.name_users_1d_mat WHERE site_id = '{site}'"));

        // A late event into the same minute adds to the rows already there.
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [InboxTestWriter.Event(site, "late", Hour.AddMinutes(1))]);
        await new ShardConsumer(db.DataSource, TimeSpan.FromHours(24)).ConsumeAsync(3, 1000, null, CancellationToken.None);
        Assert.Equal(0, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 3, hour: 3, day: 4, users: 4);
        Assert.Equal(1, await Db.ScalarAsync(db.DataSource,
            $"SELECT count(*) FROM eventide.events_1m_mat WHERE site_id = '{site}' AND bucket = '{Hour.AddMinutes(1):O}' AND name = 'pageview'"));
    }

    [Fact]
    public async Task Without_folding_consumed_events_mark_their_hours_and_a_refresh_without_shard_locks_materializes_them()
    {
        var site = Site("nofold");
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [
            InboxTestWriter.Event(site, "a", Hour.AddMinutes(1)),
            InboxTestWriter.Event(site, "b", Hour.AddMinutes(1), name: "click"),
            InboxTestWriter.Event(site, "c", Hour.AddHours(1).AddMinutes(5)),
        ]);
        await new ShardConsumer(db.DataSource, TimeSpan.FromHours(24), foldAggregates: false).ConsumeAsync(3, 1000, null, CancellationToken.None);
        Assert.Equal(2, await DirtyAsync(site));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.events_1m_mat WHERE site_id = '{site}'"));
        // Dirty hours are read raw meanwhile: the views already count every event.
        await AssertCountsAsync(site, minute: 2, hour: 2, day: 3, users: 3);

        var refresher = new AggregateRefresher(db.DataSource, lockShards: false);
        for (var round = 0; round < 10 && await DirtyAsync(site) > 0; round++)
        {
            await refresher.RefreshOnceAsync(TimeSpan.Zero, TimeSpan.Zero, 24, CancellationToken.None);
        }
        Assert.Equal(0, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 2, hour: 2, day: 3, users: 3);
        Assert.Equal(3, await Db.ScalarAsync(db.DataSource, $"SELECT sum(events) FROM eventide.events_1d_mat WHERE site_id = '{site}'"));
        Assert.Equal(3, await Db.ScalarAsync(db.DataSource, $"SELECT sum(events) FROM eventide.name_users_1d_mat WHERE site_id = '{site}'"));
    }

    [Fact]
    public async Task Fold_into_an_hour_a_direct_writer_left_dirty_skips_the_delta_and_is_counted_once()
    {
        var site = Site("dirtyfold");
        await InsertAsync(site, "direct", marked: true);
        var version = await Db.ScalarAsync(db.DataSource, $"SELECT version FROM eventide.aggregate_dirty WHERE site_id = '{site}'");
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [InboxTestWriter.Event(site, "folded", Hour.AddMinutes(1))]);
        await new ShardConsumer(db.DataSource, TimeSpan.FromHours(24)).ConsumeAsync(3, 1000, null, CancellationToken.None);

        Assert.Equal(version, await Db.ScalarAsync(db.DataSource, $"SELECT version FROM eventide.aggregate_dirty WHERE site_id = '{site}'"));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.events_1m_mat WHERE site_id = '{site}'"));
        await AssertCountsAsync(site, minute: 2, hour: 2, day: 2, users: 2);
        await Refresher.RefreshAllAsync(CancellationToken.None);
        Assert.Equal(0, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 2, hour: 2, day: 2, users: 2);

        // Clean again: the next consumed event is a delta on the recomputed rows.
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, [InboxTestWriter.Event(site, "after", Hour.AddMinutes(1))]);
        await new ShardConsumer(db.DataSource, TimeSpan.FromHours(24)).ConsumeAsync(3, 1000, null, CancellationToken.None);
        Assert.Equal(0, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 3, hour: 3, day: 3, users: 3);
    }

    [Fact]
    public async Task Refresh_waits_for_the_storing_transaction_of_the_sites_shard()
    {
        var site = Site("shardlock");
        await InsertAsync(site, "a", marked: true);

        // A storing transaction of shard 3 holds the consumer lock from its first statement on.
        await using var consumer = await db.DataSource.OpenConnectionAsync();
        await using var tx = await consumer.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLocks.ShardConsumers}, 3)", consumer, tx))
        {
            await lockCmd.ExecuteNonQueryAsync();
        }
        var refresh = Refresher.RefreshOnceAsync(TimeSpan.Zero, TimeSpan.Zero, 100, CancellationToken.None);
        await Eventually.WaitAsync(async () => await Db.ScalarAsync(db.DataSource,
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock%'") == 1,
            TimeSpan.FromSeconds(30), "the refresh to wait on the shard's consumer lock");
        Assert.False(refresh.IsCompleted);
        Assert.Equal(1, await DirtyAsync(site));
        await tx.CommitAsync();
        Assert.True(await refresh >= 1);
        Assert.Equal(0, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 1, hour: 1, day: 1, users: 1);
    }

    [Fact]
    public async Task Refresh_that_read_a_mark_before_a_storing_transaction_bumped_it_keeps_the_hour_dirty()
    {
        var site = Site("race");
        await InsertAsync(site, "a", marked: true);
        await Refresher.RefreshAllAsync(CancellationToken.None);
        await InsertAsync(site, "b", marked: true);

        // A storing transaction: its event and its mark, not yet committed (the mark holds the row lock).
        await using var writer = await db.DataSource.OpenConnectionAsync();
        await using var tx = await writer.BeginTransactionAsync();
        await InsertAsync(site, "c", marked: true, writer, tx);

        // The refresh reads the committed mark, recomputes without "c", then must wait for the
        // writer before it may delete the mark.
        var refresh = Refresher.RefreshOnceAsync(TimeSpan.Zero, TimeSpan.Zero, 100, CancellationToken.None);
        await Eventually.WaitAsync(async () => await Db.ScalarAsync(db.DataSource,
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%DELETE FROM eventide.aggregate_dirty%'") == 1,
            TimeSpan.FromSeconds(30), "the refresh to wait on the writer's mark");
        await tx.CommitAsync();
        Assert.True(await refresh >= 1);

        Assert.Equal(1, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 3, hour: 3, day: 3, users: 1);
        await Refresher.RefreshAllAsync(CancellationToken.None);
        Assert.Equal(0, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 3, hour: 3, day: 3, users: 1);
    }

    [Fact]
    public async Task Refresh_that_committed_before_a_storing_transaction_marked_leaves_the_hour_dirty()
    {
        var site = Site("before");
        await InsertAsync(site, "a", marked: true);

        // The event is inserted, uncommitted; the refresh runs to its commit before the mark.
        await using var writer = await db.DataSource.OpenConnectionAsync();
        await using var tx = await writer.BeginTransactionAsync();
        await InsertAsync(site, "b", marked: false, writer, tx);
        Assert.True(await Refresher.RefreshOnceAsync(TimeSpan.Zero, TimeSpan.Zero, 100, CancellationToken.None) >= 1);
        Assert.Equal(0, await DirtyAsync(site));
        await MarkAsync(site, writer, tx);
        await tx.CommitAsync();

        Assert.Equal(1, await DirtyAsync(site));
        await AssertCountsAsync(site, minute: 2, hour: 2, day: 2, users: 1);
        await Refresher.RefreshAllAsync(CancellationToken.None);
        await AssertCountsAsync(site, minute: 2, hour: 2, day: 2, users: 1);
    }

    [Fact]
    public async Task Refresh_waits_for_quiet_hours_unless_dirty_too_long()
    {
        var site = Site("settle");
        await InsertAsync(site, "a", marked: true);
        await Refresher.RefreshOnceAsync(TimeSpan.FromHours(1), TimeSpan.FromHours(1), 100, CancellationToken.None);
        Assert.Equal(1, await DirtyAsync(site));
        await Refresher.RefreshOnceAsync(TimeSpan.FromHours(1), TimeSpan.Zero, 100, CancellationToken.None);
        Assert.Equal(0, await DirtyAsync(site));
    }

    [Fact]
    public async Task Retention_drops_the_materialized_rows_of_the_days_it_drops()
    {
        var site = Site("retention");
        var old = new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);
        var partitions = new PartitionMaintenance(db.DataSource);
        await partitions.EnsureAsync("events", DateOnly.FromDateTime(old.UtcDateTime), DateOnly.FromDateTime(old.UtcDateTime).AddDays(1), CancellationToken.None);
        await InsertAsync(site, "old", marked: true, at: old);
        await InsertAsync(site, "kept", marked: true, at: old.AddDays(1));
        await Refresher.RefreshAllAsync(CancellationToken.None);
        await InsertAsync(site, "old-late", marked: true, at: old);

        Assert.True(await partitions.DropBeforeAsync("events", old.AddDays(1).AddHours(-10), CancellationToken.None) >= 1);

        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.events_1h_mat WHERE site_id = '{site}' AND bucket < '{old.AddDays(1):O}'"));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.name_users_1d_mat WHERE site_id = '{site}' AND bucket < '{old.AddDays(1).AddHours(-10):O}'"));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.aggregate_dirty WHERE site_id = '{site}'"));
        foreach (var relation in new[] { "events_1m", "events_1h", "events_1d", "users_1h", "users_1d", "name_users_1d" })
        {
            Assert.Equal(1, await Db.ScalarAsync(db.DataSource, $"SELECT coalesce(sum(events), 0) FROM eventide.{relation} WHERE site_id = '{site}'"));
        }
    }

    private Task<long> DirtyAsync(string site) =>
        Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.aggregate_dirty WHERE site_id = '{site}'");

    /// <summary>What each view says for <see cref="Hour"/>'s minute 1, hour, day, and distinct users that day.</summary>
    private async Task AssertCountsAsync(string site, long minute, long hour, long day, long users)
    {
        var h = Hour.ToString("O");
        var d = new DateTimeOffset(Hour.UtcDateTime.Date, TimeSpan.Zero).ToString("O");
        Assert.Equal(minute, await Db.ScalarAsync(db.DataSource,
            $"SELECT coalesce(sum(events), 0) FROM eventide.events_1m WHERE site_id = '{site}' AND bucket = '{Hour.AddMinutes(1):O}'"));
        Assert.Equal(hour, await Db.ScalarAsync(db.DataSource, $"SELECT coalesce(sum(events), 0) FROM eventide.events_1h WHERE site_id = '{site}' AND bucket = '{h}'"));
        Assert.Equal(hour, await Db.ScalarAsync(db.DataSource, $"SELECT coalesce(sum(events), 0) FROM eventide.users_1h WHERE site_id = '{site}' AND bucket = '{h}'"));
        Assert.Equal(day, await Db.ScalarAsync(db.DataSource, $"SELECT coalesce(sum(events), 0) FROM eventide.events_1d WHERE site_id = '{site}' AND bucket = '{d}'"));
        Assert.Equal(day, await Db.ScalarAsync(db.DataSource, $"SELECT coalesce(sum(events), 0) FROM eventide.users_1d WHERE site_id = '{site}' AND bucket = '{d}'"));
        Assert.Equal(day, await Db.ScalarAsync(db.DataSource, $"SELECT coalesce(sum(events), 0) FROM eventide.name_users_1d WHERE site_id = '{site}' AND bucket = '{d}'"));
        Assert.Equal(users, await Db.ScalarAsync(db.DataSource, $"SELECT count(DISTINCT user_id) FROM eventide.users_1d WHERE site_id = '{site}' AND bucket = '{d}'"));
        Assert.Equal(day, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.events WHERE site_id = '{site}' AND time >= '{d}' AND time < '{d}'::timestamptz + interval '1 day'"));
    }

    /// <summary>One event at minute 1 of <see cref="Hour"/> (or at <paramref name="at"/>), for user u1.</summary>
    private async Task InsertAsync(string site, string id, bool marked, NpgsqlConnection? conn = null, NpgsqlTransaction? tx = null, DateTimeOffset? at = null)
    {
        var time = at ?? Hour.AddMinutes(1);
        // Partitions are made outside any transaction, as the processor does.
        await using (var ensure = db.DataSource.CreateCommand("SELECT eventide.ensure_events_partitions($1, $1)"))
        {
            ensure.Parameters.AddWithValue(DateOnly.FromDateTime(time.UtcDateTime));
            await ensure.ExecuteNonQueryAsync();
        }
        await using var own = conn is null ? await db.DataSource.OpenConnectionAsync() : null;
        var c = conn ?? own!;
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO eventide.events (time, site_id, event_id, name, path, user_id, received_at) VALUES ($1, $2, $3, 'pageview', '/', 'u1', now())", c, tx))
        {
            insert.Parameters.AddWithValue(time);
            insert.Parameters.AddWithValue(site);
            insert.Parameters.AddWithValue(id);
            await insert.ExecuteNonQueryAsync();
        }
        if (marked)
        {
            await MarkAsync(site, c, tx, time);
        }
    }

    private static async Task MarkAsync(string site, NpgsqlConnection conn, NpgsqlTransaction? tx, DateTimeOffset? at = null)
    {
        await using var mark = new NpgsqlCommand("SELECT eventide.mark_aggregates_dirty(ARRAY[$1], ARRAY[$2])", conn, tx);
        mark.Parameters.AddWithValue(site);
        mark.Parameters.AddWithValue(at ?? Hour.AddMinutes(1));
        await mark.ExecuteNonQueryAsync();
    }
}
