using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Eventide.Storage.Tests;

public class MigratorTests
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
        var ex = await Assert.ThrowsAsync<MigrationException>(
            () => db.MigrateAsync(db.Options(o => o.Database.Timescale = TimescaleMode.Required)));
        Assert.Contains("timescaledb extension is not available", ex.Message, StringComparison.Ordinal);
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
}
