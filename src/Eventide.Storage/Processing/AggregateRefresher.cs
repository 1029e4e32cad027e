using Eventide.Core;
using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>
/// Plain mode's refresher: recomputes the materialized aggregate rows of dirty (site, hour)s
/// from raw events and clears their marks (migration 0140). The processor folds what it stores
/// into the rows itself (migration 0150), so the marks come from other writers only (loaders,
/// tests, the isolating path of a batch with bad events). One round is one transaction under
/// a transaction-level advisory lock, so one processor refreshes at a time and retention, which
/// takes the same lock, never drops a day under a refresh. It holds the consumer locks of the
/// shards of the sites it refreshes, so no fold overlaps it. It takes no row lock while it
/// recomputes: it deletes a mark only if the version it read is still there. A direct writer
/// that marked the hour meanwhile bumped the version (or waits on the delete and
/// then inserts a fresh mark), so its events, which the recompute may not have seen, keep the
/// hour dirty and are read raw until a later round.
/// </summary>
/// <param name="dataSource">The database.</param>
/// <param name="lockShards">
/// Whether storing transactions fold (see <see cref="ShardConsumer"/>): only then must a round
/// hold the consumer locks of its sites' shards. Without folds every write marks its hours, and
/// the version check alone keeps a mark whose events a round may not have seen; holding shard
/// locks through a recompute of seconds would stall those shards' consumers for nothing.
/// </param>
public sealed class AggregateRefresher(NpgsqlDataSource dataSource, bool lockShards = true)
{
    private int _shards; // fixed at creation; 0 until read

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
        await using (var cmd = new NpgsqlCommand("""
            SELECT site_id, hour FROM eventide.aggregate_dirty
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
            }
        }
        if (sites.Count == 0)
        {
            await tx.CommitAsync(cancellationToken);
            return 0;
        }
        var versions = await LockShardsAndReadVersionsAsync(conn, tx, sites, hours, cancellationToken);
        // Read committed: the recompute's snapshots are taken after the versions were read, so
        // they see at least the events of every version read. The delete then waits for any
        // direct writer holding a mark's row lock and re-checks the version once it commits.
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
                    Parameters = { new() { Value = sites.ToArray() }, new() { Value = hours.ToArray() }, new() { Value = versions } },
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

    /// <summary>
    /// Waits for the storing transactions of the sites' shards, which fold into the materialized
    /// rows, and keeps new ones out until this round commits: their consumer locks, in shard
    /// order, before any row is touched (so a storing transaction, which holds one shard lock and
    /// then touches rows of that shard's sites only, cannot wait on this round while it waits on
    /// that transaction). The recompute's snapshots are taken later still, so they see the
    /// events of every fold into these hours, whether it added deltas or skipped a dirty hour.
    /// Only direct writers can still bump a version before the delete.
    /// </summary>
    private async Task<long[]> LockShardsAndReadVersionsAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, List<string> sites, List<DateTimeOffset> hours, CancellationToken ct)
    {
        var shards = lockShards ? await ShardsAsync(ct) : 0;
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var shard in lockShards ? sites.Select(s => ShardFunction.ShardOf(s, shards)).Distinct().Order() : Enumerable.Empty<int>())
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1, $2)")
            {
                Parameters = { new() { Value = AdvisoryLocks.ShardConsumers }, new() { Value = shard } },
            });
        }
        // Marks are deleted only by refreshers and retention, both under the refresher's lock
        // this round holds: every mark read above is still there.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT d.version FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS r(s, h, i)
            JOIN eventide.aggregate_dirty d ON d.site_id = r.s AND d.hour = r.h
            ORDER BY r.i
            """)
        {
            Parameters = { new() { Value = sites.ToArray() }, new() { Value = hours.ToArray() } },
        });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        for (var i = 1; i < batch.BatchCommands.Count; i++)
        {
            await reader.NextResultAsync(ct);
        }
        var versions = new long[sites.Count];
        var read = 0;
        while (await reader.ReadAsync(ct))
        {
            versions[read++] = reader.GetInt64(0);
        }
        if (read != sites.Count)
        {
            throw new InvalidOperationException($"{sites.Count - read} dirty marks vanished under the refresher's lock");
        }
        return versions;
    }

    private async ValueTask<int> ShardsAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _shards) is > 0 and var known)
        {
            return known;
        }
        var status = await Migrator.ReadStatusAsync(dataSource, ct)
            ?? throw new InvalidOperationException("the schema is not migrated");
        Volatile.Write(ref _shards, status.Shards);
        return status.Shards;
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
