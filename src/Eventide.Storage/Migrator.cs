using Eventide.Core;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Storage;

/// <summary>
/// Applies the schema: versioned, idempotent, and safe to run from several
/// processes at once because everything happens under one session advisory lock.
/// </summary>
public sealed class Migrator(NpgsqlDataSource dataSource, EventideOptions options, ILogger<Migrator> logger)
{
    public async Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecAsync(conn, $"SELECT pg_advisory_lock({AdvisoryLocks.Migration})", cancellationToken);
        var failed = false;
        try
        {
            await ExecAsync(conn, """
                CREATE SCHEMA IF NOT EXISTS eventide;
                CREATE TABLE IF NOT EXISTS eventide.settings (key text PRIMARY KEY, value text NOT NULL);
                CREATE TABLE IF NOT EXISTS eventide.schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
                """, cancellationToken);

            var (mode, warning) = await ResolveModeAsync(conn, cancellationToken);
            var shards = await ResolveShardsAsync(conn, cancellationToken);
            var applied = await AppliedVersionsAsync(conn, cancellationToken);
            var count = 0;
            foreach (var migration in MigrationCatalog.For(mode))
            {
                if (applied.Contains(migration.Version))
                {
                    continue;
                }
                await ApplyAsync(conn, migration, cancellationToken);
                Log.MigrationApplied(logger, migration.Version, migration.Name, mode);
                count++;
            }
            if (mode == StorageMode.Timescale)
            {
                await TimescalePolicies.ApplyAsync(conn, options.Retention, cancellationToken);
            }
            var version = MigrationCatalog.LatestVersion(mode);
            Log.SchemaReady(logger, version, mode, count);
            return new MigrationResult(mode, version, count, shards, warning);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            await UnlockAsync(conn, failed);
        }
    }

    /// <summary>
    /// Releases the advisory lock. A session that ended (a FATAL error, a
    /// terminated backend) released it with itself, and when the migration
    /// already failed an unlock error must not replace the error that says why.
    /// </summary>
    private static async Task UnlockAsync(NpgsqlConnection conn, bool failed)
    {
        if (conn.State != System.Data.ConnectionState.Open)
        {
            return;
        }
        try
        {
            await ExecAsync(conn, $"SELECT pg_advisory_unlock({AdvisoryLocks.Migration})", CancellationToken.None);
        }
        catch (Exception ex) when (failed && ex is NpgsqlException or InvalidOperationException)
        {
            // The migration's own exception is already propagating; it is the one to report.
        }
    }

    /// <summary>Reads what the database holds, without changing it: null when never migrated.</summary>
    public static async Task<MigrationResult?> ReadStatusAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        // The tables may not exist yet; asking for them would fail at parse time.
        var migrated = await ScalarAsync<bool>(conn,
            "SELECT to_regclass('eventide.schema_migrations') IS NOT NULL AND to_regclass('eventide.settings') IS NOT NULL",
            cancellationToken);
        if (!migrated)
        {
            return null;
        }
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT value FROM eventide.settings WHERE key = 'mode'),
                   (SELECT value FROM eventide.settings WHERE key = 'shards'),
                   (SELECT coalesce(max(version), 0) FROM eventide.schema_migrations)
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(0))
        {
            return null;
        }
        var mode = Enum.Parse<StorageMode>(reader.GetString(0), ignoreCase: true);
        var shards = int.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture);
        return new MigrationResult(mode, reader.GetInt32(2), 0, shards);
    }

    private async Task<(StorageMode Mode, string? Warning)> ResolveModeAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var stored = await ScalarAsync<string>(conn, "SELECT value FROM eventide.settings WHERE key = 'mode'", ct);
        var wanted = options.Database.Timescale;
        if (stored is not null)
        {
            var mode = Enum.Parse<StorageMode>(stored, ignoreCase: true);
            if (wanted == TimescaleMode.Required && mode != StorageMode.Timescale)
            {
                throw new MigrationException("Timescale mode is required, but this database was created in plain mode");
            }
            if (wanted == TimescaleMode.Off && mode != StorageMode.Plain)
            {
                throw new MigrationException("Timescale mode is off, but this database was created in Timescale mode");
            }
            return (mode, null);
        }

        var chosen = StorageMode.Plain;
        string? warning = null;
        if (wanted != TimescaleMode.Off)
        {
            var available = await ScalarAsync<bool>(conn,
                "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')", ct);
            if (available)
            {
                if (await TryCreateExtensionAsync(conn, ct) is { } failure)
                {
                    if (wanted == TimescaleMode.Required)
                    {
                        throw new MigrationException($"Timescale mode is required: {failure}");
                    }
                    warning = $"Using plain PostgreSQL: {failure}";
                    Log.TimescaleUnavailable(logger, warning);
                }
                else
                {
                    chosen = StorageMode.Timescale;
                }
            }
            else if (wanted == TimescaleMode.Required)
            {
                throw new MigrationException(
                    "Timescale mode is required, but the timescaledb extension is not available on this server");
            }
        }
        await ExecAsync(conn, $"INSERT INTO eventide.settings (key, value) VALUES ('mode', '{chosen.ToString().ToLowerInvariant()}')", ct);
        return (chosen, warning);
    }

    /// <summary>
    /// Installed is not loadable: TimescaleDB's library must be in
    /// shared_preload_libraries, and loading it otherwise ends the session
    /// with a FATAL error. So the extension is created on a connection of its
    /// own (still under this session's advisory lock, so concurrent migrators
    /// take turns), and a failure there leaves the migrating session intact.
    /// Returns null when the extension exists now, else the reason and the fix.
    /// </summary>
    private async Task<string?> TryCreateExtensionAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        try
        {
            await using var probe = await dataSource.OpenConnectionAsync(ct);
            await ExecAsync(probe, "CREATE EXTENSION IF NOT EXISTS timescaledb", ct);
            return null;
        }
        catch (NpgsqlException ex) when (!ct.IsCancellationRequested)
        {
            var said = (ex as PostgresException)?.MessageText ?? ex.Message;
            var preload = await ScalarAsync<string>(conn, "SELECT current_setting('shared_preload_libraries')", ct) ?? "";
            var preloaded = preload.Split(',').Any(l => l.Trim().Trim('"').EndsWith("timescaledb", StringComparison.Ordinal));
            var fix = preloaded
                ? ""
                : "; to use TimescaleDB, set shared_preload_libraries = 'timescaledb' in postgresql.conf and restart PostgreSQL";
            return $"the timescaledb extension is installed but cannot be loaded ({said.TrimEnd('.')}){fix}";
        }
    }

    private async Task<int> ResolveShardsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var stored = await ScalarAsync<string>(conn, "SELECT value FROM eventide.settings WHERE key = 'shards'", ct);
        if (stored is null)
        {
            await ExecAsync(conn, $"INSERT INTO eventide.settings (key, value) VALUES ('shards', '{options.Shards}')", ct);
            return options.Shards;
        }
        var shards = int.Parse(stored, System.Globalization.CultureInfo.InvariantCulture);
        if (shards != options.Shards)
        {
            throw new MigrationException(
                $"The shard count is fixed when the database is created: it has {shards}, the configuration says {options.Shards}");
        }
        return shards;
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var set = new HashSet<int>();
        await using var cmd = new NpgsqlCommand("SELECT version FROM eventide.schema_migrations", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            set.Add(reader.GetInt32(0));
        }
        return set;
    }

    private static async Task ApplyAsync(NpgsqlConnection conn, Migration migration, CancellationToken ct)
    {
        if (migration.Transactional)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await ExecAsync(conn, migration.Sql, ct);
            await RecordAsync(conn, migration, ct);
            await tx.CommitAsync(ct);
            return;
        }
        // Each statement is idempotent (IF NOT EXISTS), so a crash between
        // them is repaired by the next run.
        foreach (var statement in migration.Statements())
        {
            await ExecAsync(conn, statement, ct);
        }
        await RecordAsync(conn, migration, ct);
    }

    private static async Task RecordAsync(NpgsqlConnection conn, Migration migration, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO eventide.schema_migrations (version, name) VALUES ($1, $2)", conn);
        cmd.Parameters.AddWithValue(migration.Version);
        cmd.Parameters.AddWithValue(migration.Name);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default : (T)value;
    }
}
