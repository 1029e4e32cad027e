using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Timescale;

/// <summary>
/// The TimescaleDB features the product's Timescale mode is built on, in the
/// shape the storage section of the README gives them, proven on the engine itself: a hypertable with
/// one-day chunks, compression and retention policies, per-minute continuous
/// aggregates with distinct counts, an hourly one built on them, real-time
/// aggregation and refresh.
/// </summary>
[Collection(TimescaleEngineCollection.Name)]
public sealed class TimescaleEngineFeatureTests(TimescaleEngineFixture engine) : IAsyncLifetime
{
    private const string Schema = "ts_features";

    // Each statement on its own: CREATE MATERIALIZED VIEW ... continuous and
    // the policy calls refuse to run inside a transaction block, which a
    // multi-statement Npgsql command is.
    private static readonly string[] SchemaStatements =
    [
        $"""
        CREATE TABLE {Schema}.events (
            time timestamptz NOT NULL,
            site_id text NOT NULL,
            event_id text NOT NULL,
            name text NOT NULL,
            path text,
            user_id text)
        """,
        $"SELECT create_hypertable('{Schema}.events', by_range('time', interval '1 day'))",
        $"CREATE UNIQUE INDEX events_site_event_time ON {Schema}.events (site_id, event_id, time)",
        $"CREATE INDEX events_site_time ON {Schema}.events (site_id, time DESC)",
        $"ALTER TABLE {Schema}.events SET (timescaledb.compress, timescaledb.compress_segmentby = 'site_id', timescaledb.compress_orderby = 'time DESC')",
        $"SELECT add_compression_policy('{Schema}.events', compress_after => interval '7 days')",
        $"SELECT add_retention_policy('{Schema}.events', drop_after => interval '90 days')",
        $"""
        CREATE MATERIALIZED VIEW {Schema}.events_1m
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(interval '1 minute', time) AS bucket, site_id, name, path,
               count(*) AS events, count(DISTINCT user_id) AS users
        FROM {Schema}.events
        GROUP BY 1, 2, 3, 4
        WITH NO DATA
        """,
        $"""
        CREATE MATERIALIZED VIEW {Schema}.events_1h
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(interval '1 hour', bucket) AS bucket, site_id, name, path, sum(events)::bigint AS events
        FROM {Schema}.events_1m
        GROUP BY 1, 2, 3, 4
        WITH NO DATA
        """,
        $"SELECT add_continuous_aggregate_policy('{Schema}.events_1m', start_offset => interval '3 days', end_offset => interval '1 minute', schedule_interval => interval '1 minute')",
        $"SELECT add_continuous_aggregate_policy('{Schema}.events_1h', start_offset => interval '3 days', end_offset => interval '1 hour', schedule_interval => interval '1 hour')",
    ];

    public async Task InitializeAsync()
    {
        await engine.ResetSchemaAsync(Schema);
        foreach (var statement in SchemaStatements)
        {
            await engine.ExecuteAsync(statement);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Extension_is_timescaledb_2_23_with_its_community_features()
    {
        var version = await engine.ScalarAsync<string>("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'");
        Assert.StartsWith("2.23", version, StringComparison.Ordinal);
        Assert.Equal("timescale", await engine.ScalarAsync<string>("SELECT current_setting('timescaledb.license')"));
    }

    [Fact]
    public async Task Events_is_a_hypertable_with_one_day_chunks_on_time()
    {
        Assert.Equal(1L, await engine.ScalarAsync<long>(
            $"SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_schema = '{Schema}' AND hypertable_name = 'events' AND compression_enabled"));
        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT column_name, dimension_type, time_interval FROM timescaledb_information.dimensions WHERE hypertable_schema = '{Schema}' AND hypertable_name = 'events'",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("time", reader.GetString(0));
        Assert.Equal("Time", reader.GetString(1));
        Assert.Equal(TimeSpan.FromDays(1), reader.GetTimeSpan(2));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task Unique_key_with_time_drops_a_repeated_event()
    {
        const string Insert = $"""
            INSERT INTO {Schema}.events (time, site_id, event_id, name)
            SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[])
            ON CONFLICT DO NOTHING
            """;
        var at = DateTime.UtcNow.AddMinutes(-5);
        await using var connection = await engine.OpenConnectionAsync();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await using var command = new NpgsqlCommand(Insert, connection)
            {
                Parameters =
                {
                    new() { Value = new[] { at, at.AddDays(-2) } },
                    new() { Value = new[] { "s1", "s1" } },
                    new() { Value = new[] { "e1", "e2" } },
                    new() { Value = new[] { "view", "view" } },
                },
            };
            Assert.Equal(attempt == 0 ? 2 : 0, await command.ExecuteNonQueryAsync());
        }
    }

    [Fact]
    public async Task Aggregates_are_continuous_with_real_time_aggregation_and_hourly_is_built_on_minutely()
    {
        await using var connection = await engine.OpenConnectionAsync();
        await using (var command = new NpgsqlCommand(
            $"SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates WHERE view_schema = '{Schema}' ORDER BY view_name",
            connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var found = new List<(string, bool)>();
            while (await reader.ReadAsync())
            {
                found.Add((reader.GetString(0), reader.GetBoolean(1)));
            }

            Assert.Equal([("events_1h", false), ("events_1m", false)], found);
        }

        // Hierarchical: the hourly aggregate's source is the minutely one's
        // materialization hypertable.
        Assert.Equal("events_1m", await Scalar<string>(connection, $"""
            SELECT parent.user_view_name::text
            FROM _timescaledb_catalog.continuous_agg child
            JOIN _timescaledb_catalog.continuous_agg parent ON parent.mat_hypertable_id = child.parent_mat_hypertable_id
            WHERE child.user_view_schema = '{Schema}' AND child.user_view_name = 'events_1h'
            """));
    }

    [Fact]
    public async Task Policies_exist_with_the_configured_ages()
    {
        await using var connection = await engine.OpenConnectionAsync();
        Assert.Equal("7 days", await Scalar<string>(connection, Job("policy_compression", "events", "config ->> 'compress_after'")));
        Assert.Equal("90 days", await Scalar<string>(connection, Job("policy_retention", "events", "config ->> 'drop_after'")));
        Assert.Equal("3 days", await Scalar<string>(connection, Job("policy_refresh_continuous_aggregate", "events_1m", "config ->> 'start_offset'")));
        Assert.Equal(TimeSpan.FromMinutes(1), await Scalar<TimeSpan>(connection, Job("policy_refresh_continuous_aggregate", "events_1m", "schedule_interval")));
        Assert.Equal("3 days", await Scalar<string>(connection, Job("policy_refresh_continuous_aggregate", "events_1h", "config ->> 'start_offset'")));
    }

    [Fact]
    public async Task Late_event_appears_in_the_aggregates_after_a_refresh()
    {
        var bucket = Truncate(DateTime.UtcNow, TimeSpan.FromHours(1)).AddHours(-6);
        await Insert(("e1", bucket.AddSeconds(10), "u1"), ("e2", bucket.AddSeconds(20), "u2"), ("e3", bucket.AddSeconds(30), "u1"));
        await Refresh("events_1m");
        await Refresh("events_1h");
        Assert.Equal((3L, 2L), await Minute(bucket));
        Assert.Equal(3L, await Hour(bucket));

        // Arrives after its bucket was materialized: the materialized rows
        // win below the watermark, so it is invisible until the refresh.
        await Insert(("late", bucket.AddSeconds(40), "u3"));
        Assert.Equal((3L, 2L), await Minute(bucket));
        await Refresh("events_1m");
        await Refresh("events_1h");
        Assert.Equal((4L, 3L), await Minute(bucket));
        Assert.Equal(4L, await Hour(bucket));
    }

    [Fact]
    public async Task Real_time_aggregation_shows_events_above_the_watermark_without_a_refresh()
    {
        var bucket = Truncate(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        await Insert(("now1", bucket.AddSeconds(1), "u1"), ("now2", bucket.AddSeconds(2), "u2"));
        Assert.Equal((2L, 2L), await Minute(bucket));
        Assert.Equal(2L, await Hour(Truncate(bucket, TimeSpan.FromHours(1))));
    }

    [Fact]
    public async Task Compression_and_retention_jobs_compress_and_drop_old_chunks()
    {
        var now = DateTime.UtcNow;
        await Insert(("old", now.AddDays(-100), "u1"), ("week", now.AddDays(-10), "u1"), ("recent", now.AddHours(-1), "u1"));
        // No background workers in this engine: the scheduler never starts,
        // so the policies' jobs are run by hand.
        foreach (var policy in new[] { "policy_retention", "policy_compression" })
        {
            var job = await engine.ScalarAsync<int>(Job(policy, "events", "job_id"));
            await engine.ExecuteAsync($"CALL run_job({job})");
        }

        Assert.Equal("recent,week", await engine.ScalarAsync<string>($"SELECT string_agg(event_id, ',' ORDER BY event_id) FROM {Schema}.events"));
        Assert.Equal(1L, await engine.ScalarAsync<long>(
            $"SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_schema = '{Schema}' AND hypertable_name = 'events' AND is_compressed"));
        Assert.Equal(1L, await engine.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.events WHERE site_id = 's1' AND time < now() - interval '7 days'"));
    }

    // The jobs view names a continuous aggregate's refresh policy by the
    // aggregate's own view, not by its materialization hypertable.
    private static string Job(string proc, string relation, string column) =>
        $"SELECT {column} FROM timescaledb_information.jobs WHERE proc_name = '{proc}' AND hypertable_schema = '{Schema}' AND hypertable_name = '{relation}'";

    private static DateTime Truncate(DateTime at, TimeSpan unit) => new(at.Ticks - (at.Ticks % unit.Ticks), DateTimeKind.Utc);

    private async Task Insert(params (string Id, DateTime Time, string User)[] events)
    {
        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {Schema}.events (time, site_id, event_id, name, path, user_id) SELECT t, 's1', id, 'view', '/', u FROM unnest($1::timestamptz[], $2::text[], $3::text[]) AS x(t, id, u)",
            connection)
        {
            Parameters =
            {
                new() { Value = events.Select(e => e.Time).ToArray() },
                new() { Value = events.Select(e => e.Id).ToArray() },
                new() { Value = events.Select(e => e.User).ToArray() },
            },
        };
        Assert.Equal(events.Length, await command.ExecuteNonQueryAsync());
    }

    private Task Refresh(string view) =>
        engine.ExecuteAsync($"CALL refresh_continuous_aggregate('{Schema}.{view}', now() - interval '2 days', now() - interval '1 hour')");

    private async Task<(long Events, long Users)> Minute(DateTime bucket)
    {
        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT events, users FROM {Schema}.events_1m WHERE bucket = $1 AND site_id = 's1'", connection)
        {
            Parameters = { new() { Value = bucket } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no minute row for {bucket:O}");
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<long> Hour(DateTime bucket)
    {
        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT events FROM {Schema}.events_1h WHERE bucket = $1 AND site_id = 's1'", connection)
        {
            Parameters = { new() { Value = bucket } },
        };
        return await command.ExecuteScalarAsync() is long events ? events : throw new InvalidOperationException($"no hour row for {bucket:O}");
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is T typed ? typed : throw new InvalidOperationException($"`{sql}` returned {value ?? "null"}");
    }
}
