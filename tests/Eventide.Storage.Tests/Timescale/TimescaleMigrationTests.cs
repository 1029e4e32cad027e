using Eventide.Core;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Timescale;

/// <summary>
/// The product's Timescale-mode migrations applied to the real TimescaleDB
/// engine: the objects the storage contract promises are TimescaleDB objects with the
/// configured horizons, and the aggregates follow late events.
/// </summary>
[Collection(TimescaleEngineCollection.Name)]
public sealed class TimescaleMigrationTests(TimescaleEngineFixture engine) : IAsyncLifetime
{
    private static readonly string[] Aggregates = ["events_1d", "events_1h", "events_1m", "name_users_1d", "users_1d", "users_1h"];

    public Task InitializeAsync() => engine.DropEventideSchemaAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Migrate_in_required_mode_chooses_timescale_and_twice_applies_nothing()
    {
        var first = await engine.MigrateAsync();
        var second = await engine.MigrateAsync();

        Assert.Equal(StorageMode.Timescale, first.Mode);
        Assert.Equal(MigrationCatalog.For(StorageMode.Timescale).Count, first.Applied);
        Assert.Equal(0, second.Applied);
        Assert.Equal(MigrationCatalog.LatestVersion(StorageMode.Timescale), second.Version);
        Assert.Equal(StorageMode.Timescale, (await Migrator.ReadStatusAsync(engine.DataSource, CancellationToken.None))!.Mode);
    }

    [Fact]
    public async Task Migrate_in_auto_mode_chooses_timescale_without_a_warning_when_the_extension_loads()
    {
        var result = await engine.MigrateAsync(engine.Options(o => o.Database.Timescale = TimescaleMode.Auto));

        Assert.Equal(StorageMode.Timescale, result.Mode);
        Assert.Null(result.Warning);
    }

    [Fact]
    public async Task Events_is_a_hypertable_with_one_day_chunks_compressed_by_site()
    {
        await engine.MigrateAsync();

        Assert.Equal(TimeSpan.FromDays(1), await engine.ScalarAsync<TimeSpan>("""
            SELECT time_interval FROM timescaledb_information.dimensions
            WHERE hypertable_schema = 'eventide' AND hypertable_name = 'events' AND column_name = 'time'
            """));
        Assert.Equal(1L, await engine.ScalarAsync<long>(
            "SELECT count(*) FROM timescaledb_information.dimensions WHERE hypertable_schema = 'eventide' AND hypertable_name = 'events'"));
        Assert.Equal("site_id", await engine.ScalarAsync<string>("""
            SELECT string_agg(attname, ',') FROM timescaledb_information.compression_settings
            WHERE hypertable_schema = 'eventide' AND hypertable_name = 'events' AND segmentby_column_index IS NOT NULL
            """));
        Assert.Equal(1L, await engine.ScalarAsync<long>("""
            SELECT count(*) FROM pg_indexes
            WHERE schemaname = 'eventide' AND tablename = 'events'
              AND indexdef LIKE 'CREATE UNIQUE INDEX % USING btree (site_id, event_id, "time")'
            """));
    }

    [Fact]
    public async Task Aggregates_are_continuous_with_real_time_aggregation_built_hierarchically()
    {
        await engine.MigrateAsync();

        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            SELECT c.view_name::text, c.materialized_only, coalesce(parent.user_view_name::text, '')
            FROM timescaledb_information.continuous_aggregates c
            JOIN _timescaledb_catalog.continuous_agg cat
              ON cat.user_view_schema = c.view_schema AND cat.user_view_name = c.view_name
            LEFT JOIN _timescaledb_catalog.continuous_agg parent ON parent.mat_hypertable_id = cat.parent_mat_hypertable_id
            WHERE c.view_schema = 'eventide'
            ORDER BY 1
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var found = new List<(string View, bool MaterializedOnly, string Parent)>();
        while (await reader.ReadAsync())
        {
            found.Add((reader.GetString(0), reader.GetBoolean(1), reader.GetString(2)));
        }

        Assert.Equal(
            [("events_1d", false, "events_1h"), ("events_1h", false, "events_1m"), ("events_1m", false, ""), ("name_users_1d", false, ""), ("users_1d", false, "users_1h"), ("users_1h", false, "")],
            found);
    }

    [Fact]
    public async Task Policies_have_the_configured_ages_and_follow_a_changed_configuration()
    {
        var options = engine.Options(o =>
        {
            o.Retention.Days = 120;
            o.Retention.AggregateRefreshDays = 20;
            o.Retention.CompressAfterDays = 5;
        });
        await engine.MigrateAsync(options);

        Assert.Equal("120 days", await JobConfig("policy_retention", "events", "drop_after"));
        Assert.Equal("5 days", await JobConfig("policy_compression", "events", "compress_after"));
        foreach (var aggregate in Aggregates)
        {
            Assert.Equal("20 days", await JobConfig("policy_refresh_continuous_aggregate", aggregate, "start_offset"));
        }

        options.Retention.Days = 90;
        await engine.MigrateAsync(options);
        Assert.Equal("90 days", await JobConfig("policy_retention", "events", "drop_after"));
        Assert.Equal(1L, await engine.ScalarAsync<long>(
            "SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention' AND hypertable_schema = 'eventide'"));
    }

    [Fact]
    public async Task Late_event_appears_in_every_aggregate_after_a_refresh()
    {
        await engine.MigrateAsync();
        var hour = Truncate(DateTime.UtcNow, TimeSpan.FromHours(1)).AddHours(-5);
        await InsertEvents(("e1", hour.AddSeconds(5), "u1"), ("e2", hour.AddSeconds(6), "u2"));
        await RefreshAll();
        Assert.Equal(2L, await Count("events_1m", hour));
        Assert.Equal(2L, await Count("events_1h", hour));
        Assert.Equal(2L, await Users(hour));

        await InsertEvents(("late", hour.AddSeconds(7), "u3"));
        // Below the watermark the materialized rows answer: the late event
        // is not there until its bucket is refreshed.
        Assert.Equal(2L, await Count("events_1m", hour));
        await RefreshAll();

        Assert.Equal(3L, await Count("events_1m", hour));
        Assert.Equal(3L, await Count("events_1h", hour));
        Assert.Equal(3L, await Count("events_1d", Truncate(hour, TimeSpan.FromDays(1))));
        Assert.Equal(3L, await Users(hour));
    }

    private Task<string> JobConfig(string proc, string relation, string key) =>
        engine.ScalarAsync<string>($"""
            SELECT config ->> '{key}' FROM timescaledb_information.jobs
            WHERE proc_name = '{proc}' AND hypertable_schema = 'eventide' AND hypertable_name = '{relation}'
            """);

    private async Task RefreshAll()
    {
        // Bottom up: each level reads the one below it.
        foreach (var aggregate in new[] { "events_1m", "events_1h", "events_1d", "users_1h", "users_1d" })
        {
            await engine.ExecuteAsync($"CALL refresh_continuous_aggregate('eventide.{aggregate}', now() - interval '3 days', now())");
        }
    }

    private async Task InsertEvents(params (string Id, DateTime Time, string User)[] events)
    {
        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO eventide.events (time, site_id, event_id, name, path, user_id, received_at)
            SELECT t, 'site-a', id, 'pageview', '/home', u, now()
            FROM unnest($1::timestamptz[], $2::text[], $3::text[]) AS x(t, id, u)
            ON CONFLICT DO NOTHING
            """, connection)
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

    private async Task<long> Count(string aggregate, DateTime from)
    {
        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT coalesce(sum(events), 0)::bigint FROM eventide.{aggregate} WHERE site_id = 'site-a' AND bucket = $1", connection)
        {
            Parameters = { new() { Value = from } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> Users(DateTime hour)
    {
        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(DISTINCT user_id) FROM eventide.users_1h WHERE site_id = 'site-a' AND bucket = $1", connection)
        {
            Parameters = { new() { Value = hour } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static DateTime Truncate(DateTime at, TimeSpan unit) => new(at.Ticks - (at.Ticks % unit.Ticks), DateTimeKind.Utc);
}
