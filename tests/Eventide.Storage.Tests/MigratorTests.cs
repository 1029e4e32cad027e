using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Eventide.Storage.Tests;

public class MigratorTests(StandInTimescalePostgres standIn) : IClassFixture<StandInTimescalePostgres>
{
    private static async Task<string> SchemaSnapshotAsync(NpgsqlDataSource ds)
    {
        await using var cmd = ds.CreateCommand("""
            SELECT string_agg(x, E'\n' ORDER BY x) FROM (
              SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type AS x
                FROM information_schema.columns WHERE table_schema = 'eventide'
              UNION ALL
              SELECT 'rel ' || c.relname || ' ' || c.relkind::text FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'eventide'
              UNION ALL
              SELECT 'fn ' || p.proname FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'eventide'
              UNION ALL
              SELECT 'mig ' || version || ' ' || name FROM eventide.schema_migrations
              UNION ALL
              SELECT 'set ' || key || '=' || value FROM eventide.settings
            ) s
            """);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Migrate_twice_changes_nothing()
    {
        var db = new PostgresFixture();
        await db.InitializeAsync();
        var first = await db.MigrateAsync();
        var before = await SchemaSnapshotAsync(db.DataSource);
        var second = await db.MigrateAsync();
        var after = await SchemaSnapshotAsync(db.DataSource);

        Assert.Equal(StorageMode.Plain, first.Mode);
        Assert.True(first.Applied >= 3);
        Assert.Equal(0, second.Applied);
        Assert.Equal(first.Version, second.Version);
        Assert.Equal(before, after);
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_0170_keys_the_ids_recorded_before_it_so_they_still_deduplicate()
    {
        var db = new PostgresFixture();
        await db.InitializeAsync();
        // A database as the release before 0170 left it: every earlier migration applied, and ids
        // recorded as texts. Marking 0170 on as applied makes the migrator stop just before it
        // (the later ones build on 0170's key).
        await using (var cmd = db.DataSource.CreateCommand($"""
            CREATE SCHEMA eventide;
            CREATE TABLE eventide.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO eventide.schema_migrations (version, name) SELECT v, 'later' FROM generate_series(170, {MigrationCatalog.LatestVersion(StorageMode.Plain)}) v;
            """))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        await db.MigrateAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await new Eventide.Storage.Processing.PartitionMaintenance(db.DataSource).EnsureAsync("event_ids", today.AddDays(-1), today.AddDays(2), CancellationToken.None);
        var site = "upgraded";
        await using (var cmd = db.DataSource.CreateCommand("""
            INSERT INTO eventide.event_ids (site_id, event_id, seen_at) VALUES ($1, 'before-1', now() - interval '2 hours'), ($1, 'before-2', now())
            """))
        {
            cmd.Parameters.AddWithValue(site);
            await cmd.ExecuteNonQueryAsync();
        }
        await Db.ScalarAsync(db.DataSource, "WITH d AS (DELETE FROM eventide.schema_migrations WHERE name = 'later' RETURNING 1) SELECT count(*) FROM d");

        var upgrade = await db.MigrateAsync();

        Assert.Equal(MigrationCatalog.For(StorageMode.Plain).Count(m => m.Version >= 170), upgrade.Applied);
        Assert.Equal(2, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.event_ids"));
        var shard = ShardFunction.ShardOf(site, db.Options().Shards);
        await InboxTestWriter.WriteAsync(db.DataSource, db.Options().Shards, [
            InboxTestWriter.Event(site, "before-1", DateTimeOffset.UtcNow.AddMinutes(-5)),
            InboxTestWriter.Event(site, "before-2", DateTimeOffset.UtcNow.AddMinutes(-4)),
            InboxTestWriter.Event(site, "after", DateTimeOffset.UtcNow.AddMinutes(-3)),
        ]);
        var result = await new Eventide.Storage.Processing.ShardConsumer(db.DataSource, TimeSpan.FromHours(24))
            .ConsumeAsync(shard, 1000, null, CancellationToken.None);
        Assert.Equal(["after"], result.Stored.Select(e => e.EventId));
        Assert.Equal(["before-1", "before-2"], result.Duplicates.Select(e => e.EventId).Order());
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_concurrently_from_many_processes_is_safe()
    {
        var db = new PostgresFixture();
        await db.InitializeAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            // Each migrator gets its own data source, as separate processes would.
            await using var ds = NpgsqlDataSource.Create(db.ConnectionString);
            return await new Migrator(ds, db.Options(), NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        }));

        Assert.Equal(MigrationCatalog.For(StorageMode.Plain).Count, results.Sum(r => r.Applied));
        Assert.All(results, r => Assert.Equal(MigrationCatalog.LatestVersion(StorageMode.Plain), r.Version));
        await using var cmd = db.DataSource.CreateCommand("SELECT count(*) FROM eventide.schema_migrations");
        Assert.Equal((long)MigrationCatalog.For(StorageMode.Plain).Count, await cmd.ExecuteScalarAsync());
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_refuses_a_changed_shard_count()
    {
        var db = new PostgresFixture();
        await db.InitializeAsync();
        await db.MigrateAsync(db.Options(o => o.Shards = 16));
        var ex = await Assert.ThrowsAsync<MigrationException>(() => db.MigrateAsync(db.Options(o => o.Shards = 32)));
        Assert.Contains("has 16", ex.Message, StringComparison.Ordinal);
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_in_required_mode_fails_clearly_without_the_extension()
    {
        var db = new PostgresFixture();
        await db.InitializeAsync();
        // The test server never preloads TimescaleDB, but a machine may have its library
        // installed (one built for the benchmark): then the error is the preload fix instead.
        await using var available = db.DataSource.CreateCommand("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'");
        var installed = (long)(await available.ExecuteScalarAsync())! > 0;
        var ex = await Assert.ThrowsAsync<MigrationException>(
            () => db.MigrateAsync(db.Options(o => o.Database.Timescale = TimescaleMode.Required)));
        if (installed)
        {
            Assert.Contains("installed but cannot be loaded", ex.Message, StringComparison.Ordinal);
            Assert.Contains("shared_preload_libraries = 'timescaledb'", ex.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("timescaledb extension is not available", ex.Message, StringComparison.Ordinal);
        }
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_in_auto_mode_falls_back_to_plain()
    {
        var db = new PostgresFixture();
        await db.InitializeAsync();
        var result = await db.MigrateAsync(db.Options(o => o.Database.Timescale = TimescaleMode.Auto));
        Assert.Equal(StorageMode.Plain, result.Mode);
        Assert.Equal(StorageMode.Plain, (await Migrator.ReadStatusAsync(db.DataSource, CancellationToken.None))!.Mode);
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_in_auto_mode_falls_back_with_one_warning_when_timescaledb_is_installed_but_not_preloaded()
    {
        var cs = await standIn.NewDatabaseAsync();
        await using var ds = NpgsqlDataSource.Create(cs);
        var logger = new RecordingLogger();
        var options = new EventideOptions { Database = { ConnectionString = cs, Timescale = TimescaleMode.Auto } };

        var first = await new Migrator(ds, options, logger).MigrateAsync(CancellationToken.None);
        var second = await new Migrator(ds, options, logger).MigrateAsync(CancellationToken.None);

        Assert.Equal(StorageMode.Plain, first.Mode);
        Assert.Equal(MigrationCatalog.LatestVersion(StorageMode.Plain), first.Version);
        Assert.Contains("shared_preload_libraries = 'timescaledb'", first.Warning, StringComparison.Ordinal);
        Assert.Null(second.Warning);
        var warning = Assert.Single(logger.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(first.Warning, warning.Message);
        await using var cmd = ds.CreateCommand("SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'");
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_in_required_mode_names_the_setting_when_timescaledb_is_installed_but_not_preloaded()
    {
        var cs = await standIn.NewDatabaseAsync();
        await using var ds = NpgsqlDataSource.Create(cs);
        var options = new EventideOptions { Database = { ConnectionString = cs, Timescale = TimescaleMode.Required } };

        var ex = await Assert.ThrowsAsync<MigrationException>(
            () => new Migrator(ds, options, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None));

        Assert.StartsWith("Timescale mode is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("set shared_preload_libraries = 'timescaledb'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        await using var cmd = ds.CreateCommand("SELECT NOT EXISTS (SELECT 1 FROM eventide.settings WHERE key = 'mode')");
        Assert.Equal(true, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_reports_the_first_error_when_its_session_ends_mid_migration()
    {
        var db = new PostgresFixture();
        await db.InitializeAsync();
        await db.MigrateAsync();
        // The test holds the settings table, so the migrator blocks inside its
        // locked section; then its backend is terminated, as a FATAL error would end it.
        await using var holder = await db.DataSource.OpenConnectionAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand("LOCK TABLE eventide.settings IN ACCESS EXCLUSIVE MODE", holder, tx))
        {
            await lockCmd.ExecuteNonQueryAsync();
        }
        await using var ds = NpgsqlDataSource.Create(db.ConnectionString);
        var migration = new Migrator(ds, db.Options(), NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        var waiting = """
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
            """;
        await Eventually.WaitAsync(async () =>
        {
            // Asked outside the holder's transaction, which sees one snapshot of the activity view.
            await using var cmd = db.DataSource.CreateCommand(waiting);
            return await cmd.ExecuteScalarAsync() is int;
        }, TimeSpan.FromSeconds(30), "the migrator waits for the settings table");
        await using (var kill = db.DataSource.CreateCommand($"SELECT pg_terminate_backend(pid) FROM ({waiting}) w"))
        {
            await kill.ExecuteNonQueryAsync();
        }

        var ex = await Assert.ThrowsAsync<PostgresException>(() => migration);
        Assert.Equal(PostgresErrorCodes.AdminShutdown, ex.SqlState);
        await tx.RollbackAsync();
        await db.DisposeAsync();
    }

    private sealed class RecordingLogger : ILogger<Migrator>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
