using Eventide.Testing;

namespace Eventide.Storage.Tests;

public class PlainSchemaTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    // The relations and columns the processor and the query API read and
    // write; the Timescale schema must expose the same ones.
    public static TheoryData<string, string> Relations() => new()
    {
        { "events", "time,site_id,event_id,name,path,referrer,user_id,session_id,properties,received_at" },
        { "events_1m", "bucket,site_id,name,path,events" },
        { "events_1h", "bucket,site_id,name,path,events" },
        { "events_1d", "bucket,site_id,name,path,events" },
        { "users_1h", "bucket,site_id,user_id,events" },
        { "users_1d", "bucket,site_id,user_id,events" },
        { "name_users_1d", "bucket,site_id,name,user_id,events" },
        { "inbox", "id,slot,shard,event_count,received_at,payload" },
        { "event_ids", "seen_at,key" },
        { "dead_letters", "id,site_id,event_id,source,payload,error,failed_at,replayed_at" },
        { "sites", "site_id,created_at" },
        { "api_keys", "key_id,site_id,kind,key_hash,key_prefix,created_at,revoked_at" },
    };

    [Theory]
    [MemberData(nameof(Relations))]
    public async Task Relation_has_the_columns_the_code_uses(string relation, string columns)
    {
        await using var cmd = db.DataSource.CreateCommand("""
            SELECT coalesce(string_agg(column_name, ',' ORDER BY ordinal_position), '')
            FROM information_schema.columns WHERE table_schema = 'eventide' AND table_name = $1
            """);
        cmd.Parameters.AddWithValue(relation);
        Assert.Equal(columns, (string)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Events_insert_lands_in_a_daily_partition_and_aggregates_count_it()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using (var ensure = new Npgsql.NpgsqlCommand("SELECT eventide.ensure_events_partitions('2026-03-01', '2026-03-02')", conn))
        {
            await ensure.ExecuteNonQueryAsync();
        }
        // With the dirty marks the processor's storing transaction writes in the same commit.
        await using (var insert = new Npgsql.NpgsqlCommand("""
            WITH i AS (
                INSERT INTO eventide.events (time, site_id, event_id, name, path, user_id, received_at)
                VALUES ('2026-03-01T10:00:30Z', 'p1', 'a', 'pageview', '/', 'u1', now()),
                       ('2026-03-01T10:00:45Z', 'p1', 'b', 'pageview', '/', 'u2', now()),
                       ('2026-03-02T23:59:59Z', 'p1', 'c', 'signup', null, 'u1', now())
                RETURNING site_id, time)
            SELECT count(*) FROM (SELECT eventide.mark_aggregates_dirty(array_agg(site_id), array_agg(time)) FROM i) m
            """, conn))
        {
            Assert.Equal(1L, await insert.ExecuteScalarAsync());
        }
        await AssertAggregatesAsync(conn);
        await new Eventide.Storage.Processing.AggregateRefresher(db.DataSource).RefreshAllAsync(CancellationToken.None);
        Assert.Equal(0L, await new Eventide.Storage.Processing.AggregateRefresher(db.DataSource).PendingAsync(CancellationToken.None));
        await AssertAggregatesAsync(conn);
    }

    private static async Task AssertAggregatesAsync(Npgsql.NpgsqlConnection conn)
    {
        await using var check = new Npgsql.NpgsqlCommand("""
            SELECT (SELECT events FROM eventide.events_1m WHERE site_id = 'p1' AND bucket = '2026-03-01T10:00:00Z'),
                   (SELECT sum(events) FROM eventide.events_1d WHERE site_id = 'p1' AND bucket = '2026-03-02T00:00:00Z'),
                   (SELECT count(DISTINCT user_id) FROM eventide.users_1h WHERE site_id = 'p1'),
                   (SELECT count(*) FROM pg_inherits WHERE inhparent = 'eventide.events'::regclass)
            """, conn);
        await using var r = await check.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(2L, r.GetInt64(0));
        Assert.Equal(1m, r.GetDecimal(1));
        Assert.Equal(2L, r.GetInt64(2));
        Assert.True(r.GetInt64(3) >= 2);
    }

    [Fact]
    public async Task Events_rejects_a_second_row_with_the_same_site_id_and_time()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("""
            SELECT eventide.ensure_events_partitions('2026-04-01', '2026-04-01');
            INSERT INTO eventide.events (time, site_id, event_id, name, received_at)
            VALUES ('2026-04-01T00:00:00Z', 'dup', 'x', 'e', now());
            INSERT INTO eventide.events (time, site_id, event_id, name, received_at)
            VALUES ('2026-04-01T00:00:00Z', 'dup', 'x', 'e', now()) ON CONFLICT DO NOTHING;
            """, conn);
        await cmd.ExecuteNonQueryAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM eventide.events WHERE site_id = 'dup'", conn);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }
}
