using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>
/// Plain mode's refresher: recomputes the materialized aggregate rows of dirty (site, hour)s
/// from raw events and clears their marks (migration 0140). One round is one transaction under
/// a transaction-level advisory lock, so one processor refreshes at a time and retention, which
/// takes the same lock, never drops a day under a refresh. It takes no row lock while it
/// recomputes: it deletes a mark only if the version it read is still there. A storing
/// transaction that marked the hour meanwhile bumped the version (or waits on the delete and
/// then inserts a fresh mark), so its events, which the recompute may not have seen, keep the
/// hour dirty and are read raw until a later round.
/// </summary>
public sealed class AggregateRefresher(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// One round: the oldest at most <paramref name="maxHours"/> dirty (site, hour)s whose last
    /// mark is older than <paramref name="settle"/>, or whose first mark since their last
    /// refresh is older than <paramref name="maxDirty"/>. Returns how many were taken, or null
    /// when another refresher holds the lock.
    /// </summary>
    public async Task<int?> RefreshOnceAsync(TimeSpan settle, TimeSpan maxDirty, int maxHours, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHours, 1);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({AdvisoryLocks.AggregateRefresh})", conn, tx))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(cancellationToken))!)
            {
                return null;
            }
        }
        var sites = new List<string>();
        var hours = new List<DateTimeOffset>();
        var versions = new List<long>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT site_id, hour, version FROM eventide.aggregate_dirty
            WHERE marked_at < now() - $1 OR since < now() - $2
            ORDER BY hour, site_id LIMIT $3
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(settle);
            cmd.Parameters.AddWithValue(maxDirty);
            cmd.Parameters.AddWithValue(maxHours);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sites.Add(reader.GetString(0));
                hours.Add(reader.GetFieldValue<DateTimeOffset>(1));
                versions.Add(reader.GetInt64(2));
            }
        }
        if (sites.Count == 0)
        {
            await tx.CommitAsync(cancellationToken);
            return 0;
        }
        // Read committed: the recompute's snapshot is taken after the marks were read, so it sees
        // at least the events of every version read. The delete then waits for any storing
        // transaction holding a mark's row lock and re-checks the version once it commits.
        // Marks that stay (written meanwhile) restart their maximum age: the rows just written
        // are recent, and an hour written without pause is otherwise recomputed every round.
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT eventide.refresh_aggregate_hours($1::text[], $2::timestamptz[])")
                {
                    Parameters = { new() { Value = sites.ToArray() }, new() { Value = hours.ToArray() } },
                },
                new NpgsqlBatchCommand("""
                    DELETE FROM eventide.aggregate_dirty d USING unnest($1::text[], $2::timestamptz[], $3::bigint[]) AS r(s, h, v)
                    WHERE d.site_id = r.s AND d.hour = r.h AND d.version = r.v
                    """)
                {
                    Parameters = { new() { Value = sites.ToArray() }, new() { Value = hours.ToArray() }, new() { Value = versions.ToArray() } },
                },
                new NpgsqlBatchCommand("""
                    UPDATE eventide.aggregate_dirty d SET since = now() FROM unnest($1::text[], $2::timestamptz[]) AS r(s, h)
                    WHERE d.site_id = r.s AND d.hour = r.h
                    """)
                {
                    Parameters = { new() { Value = sites.ToArray() }, new() { Value = hours.ToArray() } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return sites.Count;
    }

    /// <summary>Dirty (site, hour)s now, settled or not.</summary>
    public async Task<long> PendingAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM eventide.aggregate_dirty");
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Refreshes until nothing is dirty, whatever the settle time: for loaders that write
    /// events straight into the table (benchmark, tests) and then want the aggregates
    /// materialized. Waits its turn when another refresher holds the lock.
    /// </summary>
    public async Task RefreshAllAsync(CancellationToken cancellationToken)
    {
        while (await PendingAsync(cancellationToken) > 0)
        {
            if (await RefreshOnceAsync(TimeSpan.Zero, TimeSpan.Zero, 64, cancellationToken) is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }
}
