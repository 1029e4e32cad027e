using System.Diagnostics;
using Npgsql;

namespace Eventide.Bench;

/// <summary>What the benchmark asks of the database directly: counts, the ceiling and the naive baseline.</summary>
public sealed class Database(NpgsqlDataSource dataSource)
{
    public async Task<long> StoredEventsAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM eventide.events");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The process id of the backend serving a connection of the pool (its parent is the postmaster).</summary>
    public async Task<int> BackendPidAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT pg_backend_pid()");
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<long> InboxEventsAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT coalesce(sum(event_count), 0)::bigint FROM eventide.inbox");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// What a phase must not start on top of: events waiting in the inbox, plain mode's dirty
    /// aggregate hours (0 when there is no such table: Timescale refreshes its own), and
    /// statements of other clients that have been running for over 200 ms (a refresh round, a
    /// late consume transaction). Idle consumers' polls finish in well under that, so an idle
    /// pipeline reads 0 / 0 / 0.
    /// </summary>
    public async Task<SteadyReading> SteadyReadingAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT (SELECT coalesce(sum(event_count), 0)::bigint FROM eventide.inbox),
                   (SELECT count(*) FROM pg_stat_activity
                    WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND state = 'active'
                      AND datname = current_database() AND now() - query_start > interval '200 ms'),
                   to_regclass('eventide.aggregate_dirty') IS NOT NULL
            """);
        long inbox, busy;
        bool hasDirty;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (inbox, busy, hasDirty) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2));
        }
        long dirty = 0;
        if (hasDirty)
        {
            await using var marks = dataSource.CreateCommand("SELECT count(*) FROM eventide.aggregate_dirty");
            dirty = (long)(await marks.ExecuteScalarAsync(ct))!;
        }
        return new SteadyReading(inbox, dirty, busy);
    }

    /// <summary>
    /// Empties the pipeline tables (<see cref="PipelineData"/>) and returns what was discarded.
    /// The inbox's events were acknowledged, but they are the bench's own and the next phase
    /// does not read them. TRUNCATE waits for the storing transactions and the refresh round
    /// in flight; a deadlock with a writer outside the expected lock order (PostgreSQL aborts
    /// one side after deadlock_timeout) is retried.
    /// </summary>
    public async Task<ClearedBacklog> ClearPipelineDataAsync(CancellationToken ct)
    {
        var before = await SteadyReadingAsync(ct);
        var existing = new List<string>();
        await using (var cmd = dataSource.CreateCommand("SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL"))
        {
            cmd.Parameters.AddWithValue(PipelineData.Tables.ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                existing.Add(reader.GetString(0));
            }
        }
        var sql = PipelineData.TruncateStatement(existing);
        var sw = Stopwatch.StartNew();
        for (var attempt = 1; sql is not null; attempt++)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(ct);
                await ExecAsync(conn, sql, ct);
                break;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                Progress.Say($"    truncation deadlocked with a writer (attempt {attempt}); retrying");
            }
        }
        return new ClearedBacklog(before.InboxEvents, before.DirtyHours, sw.Elapsed.TotalSeconds);
    }

    public async Task<bool> ExistsAsync(string sql, string site, string value, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue(site);
        cmd.Parameters.AddWithValue(value);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Whether events is a TimescaleDB hypertable (the schema was migrated in Timescale mode).</summary>
    public async Task<bool> EventsIsHypertableAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
               AND EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = '_timescaledb_catalog' AND c.relname = 'hypertable')
            """);
        if (!(bool)(await cmd.ExecuteScalarAsync(ct))!)
        {
            return false;
        }
        await using var hyper = dataSource.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM _timescaledb_catalog.hypertable WHERE schema_name = 'eventide' AND table_name = 'events')");
        return (bool)(await hyper.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The ceiling: server-side INSERT … SELECT of same-shaped rows into a
    /// scratch table with the same columns and indexes as events, in one
    /// statement: no network, no parsing, no dedupe. Where events is a
    /// hypertable the scratch table is one too, with the same one-day chunks,
    /// so the ceiling is the same engine's. It starts after a CHECKPOINT. Rows per second.
    /// </summary>
    public async Task<double> CeilingAsync(int rows, CancellationToken ct)
    {
        var hypertable = await EventsIsHypertableAsync(ct);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // The previous phase's dirty buffers written out first: the ceiling measures inserting,
        // not the checkpoint or the kernel's writeback of what the phase before it stored.
        await ExecAsync(conn, "CHECKPOINT", ct);
        await ExecAsync(conn, """
            DROP TABLE IF EXISTS eventide.bench_scratch;
            CREATE TABLE eventide.bench_scratch (LIKE eventide.events INCLUDING DEFAULTS);
            """ + (hypertable ? "SELECT create_hypertable('eventide.bench_scratch', 'time', chunk_time_interval => INTERVAL '1 day');" : "") + """

            CREATE UNIQUE INDEX ON eventide.bench_scratch (site_id, event_id, time);
            CREATE INDEX ON eventide.bench_scratch (site_id, time DESC);
            """, ct);
        var sw = Stopwatch.StartNew();
        await ExecAsync(conn, $$"""
            INSERT INTO eventide.bench_scratch
            SELECT now() - (i % 3600) * INTERVAL '1 second', 'bench-' || lpad((i % 1000)::text, 6, '0'),
                   gen_random_uuid()::text, 'pageview', '/p/' || (i % 200), 'https://www.google.com/',
                   'u' || (i % 20000), NULL, '{"plan":"free","value":1}'::jsonb, now()
            FROM generate_series(1, {{rows}}) AS i
            """, ct);
        var seconds = sw.Elapsed.TotalSeconds;
        await ExecAsync(conn, "DROP TABLE eventide.bench_scratch", ct);
        return rows / seconds;
    }

    /// <summary>The naive baseline: one INSERT per event, autocommit, over one connection, for a fixed time.</summary>
    public async Task<double> NaiveAsync(TimeSpan duration, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await ExecAsync(conn, """
            DROP TABLE IF EXISTS eventide.bench_naive;
            CREATE TABLE eventide.bench_naive (LIKE eventide.events INCLUDING DEFAULTS);
            CREATE UNIQUE INDEX ON eventide.bench_naive (site_id, event_id, time);
            CREATE INDEX ON eventide.bench_naive (site_id, time DESC);
            """, ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO eventide.bench_naive (time, site_id, event_id, name, path, referrer, user_id, properties, received_at)
            VALUES (now(), $1, $2, 'pageview', $3, 'https://www.google.com/', $4, '{"plan":"free","value":1}', now())
            """, conn);
        var site = new NpgsqlParameter<string> { TypedValue = "" };
        cmd.Parameters.Add(site);
        var id = new NpgsqlParameter<string> { TypedValue = "" };
        cmd.Parameters.Add(id);
        var path = new NpgsqlParameter<string> { TypedValue = "" };
        cmd.Parameters.Add(path);
        var user = new NpgsqlParameter<string> { TypedValue = "" };
        cmd.Parameters.Add(user);
        await cmd.PrepareAsync(ct);
        var sw = Stopwatch.StartNew();
        long n = 0;
        while (sw.Elapsed < duration)
        {
            site.TypedValue = "bench-" + (n % 1000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            id.TypedValue = Guid.CreateVersion7().ToString();
            path.TypedValue = "/p/" + (n % 200);
            user.TypedValue = "u" + (n % 20000);
            await cmd.ExecuteNonQueryAsync(ct);
            n++;
        }
        var rate = n / sw.Elapsed.TotalSeconds;
        await ExecAsync(conn, "DROP TABLE eventide.bench_naive", ct);
        return rate;
    }

    /// <summary>Clears pg_stat_statements (loaded by scripts/bench); false when the extension is not available.</summary>
    public async Task<bool> ResetStatementsAsync(CancellationToken ct)
    {
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            await ExecAsync(conn, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", ct);
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    /// <summary>The statements that took the most database time since the reset, with the benchmark's own left out.</summary>
    public async Task<List<StatementStats>> TopStatementsAsync(int n, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT regexp_replace(query, '\s+', ' ', 'g'), calls, total_exec_time, rows,
                   100 * total_exec_time / nullif(sum(total_exec_time) OVER (), 0)
            FROM pg_stat_statements
            WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%bench_%'
            ORDER BY total_exec_time DESC LIMIT $1
            """);
        cmd.Parameters.AddWithValue(n);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var top = new List<StatementStats>();
        while (await reader.ReadAsync(ct))
        {
            top.Add(new StatementStats(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3),
                reader.IsDBNull(4) ? 0 : reader.GetDouble(4)));
        }
        return top;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

public sealed record StatementStats(string Query, long Calls, double TotalMs, long Rows, double SharePercent)
{
    public double MeanMs => Calls == 0 ? 0 : TotalMs / Calls;

    /// <summary>The report's table of statements under <paramref name="title"/>, each query cut to 110 characters.</summary>
    public static void AppendTable(System.Text.StringBuilder md, string title, IReadOnlyList<StatementStats> statements)
    {
        md.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"| {title} | calls | mean | rows/call | share |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var st in statements)
        {
            var q = st.Query.Length > 110 ? st.Query[..110] + "…" : st.Query;
            md.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"| `{q.Replace("|", "\\|", StringComparison.Ordinal)}` | {st.Calls:N0} | {st.MeanMs:F2} ms | {(st.Calls > 0 ? (double)st.Rows / st.Calls : 0):F0} | {st.SharePercent:F0} % |");
        }
    }
}
