using System.Globalization;
using Npgsql;

namespace Eventide.Storage.Inbox;

/// <summary>
/// Keeps the inbox from bloating under sustained load. Inserts always go to the current
/// slot's partition; consumers delete rows wherever they are. Rotation moves
/// the current slot on, so older slots stop receiving rows, drain, and are
/// then TRUNCATEd: the space of their dead tuples is returned at once instead
/// of waiting for vacuum, which cannot keep up with a queue under sustained load.
/// </summary>
public sealed class InboxRotator(NpgsqlDataSource dataSource)
{
    public const int Slots = 4;

    /// <summary>
    /// How long truncation waits for a slot's lock. Consumers and in-flight inserts hold
    /// weaker locks on a partition for their transaction; while we wait, new ones queue
    /// behind us, so the wait must stay short. A slot that is busy now is tried next time.
    /// </summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Advances the current slot when it is at least <paramref name="interval"/> old, then
    /// truncates every other slot that is empty. Safe to call from several replicas at once.
    /// </summary>
    public async Task<InboxRotation> RotateAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        int current;
        bool advanced;
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken))
        {
            await using (var lockCmd = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({AdvisoryLocks.InboxRotation})", conn, tx))
            {
                if (!(bool)(await lockCmd.ExecuteScalarAsync(cancellationToken))!)
                {
                    return new InboxRotation(false, -1, []);
                }
            }
            // The age check makes concurrent or repeated calls within one interval a no-op.
            await using var cmd = new NpgsqlCommand($"""
                WITH advanced AS (
                    UPDATE eventide.inbox_state SET current_slot = (current_slot + 1) % {Slots}, rotated_at = now()
                    WHERE now() - rotated_at >= $1
                    RETURNING current_slot)
                SELECT current_slot, true FROM advanced
                UNION ALL
                SELECT current_slot, false FROM eventide.inbox_state WHERE NOT EXISTS (SELECT 1 FROM advanced)
                """, conn, tx);
            cmd.Parameters.AddWithValue(interval);
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                current = reader.GetInt16(0);
                advanced = reader.GetBoolean(1);
            }
            await tx.CommitAsync(cancellationToken);
        }

        var truncated = new List<int>();
        for (var slot = 0; slot < Slots; slot++)
        {
            if (slot != current && await TryTruncateAsync(conn, slot, cancellationToken))
            {
                truncated.Add(slot);
            }
        }
        return new InboxRotation(advanced, current, truncated);
    }

    /// <summary>The on-disk size of all inbox partitions with their indexes and TOAST, in bytes.</summary>
    public static async Task<long> SizeAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)::bigint
            FROM pg_inherits i WHERE i.inhparent = 'eventide.inbox'::regclass
            """);
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Truncates a slot that holds no rows. Emptiness is checked under ACCESS EXCLUSIVE, so no
    /// uncommitted insert into the slot can exist (it would hold a conflicting lock) and no
    /// committed row can be missed. An insert that read the old current slot and arrives
    /// after the truncation just lands in the now-empty table and is consumed as usual.
    /// </summary>
    private static async Task<bool> TryTruncateAsync(NpgsqlConnection conn, int slot, CancellationToken ct)
    {
        var table = "eventide.inbox_" + slot.ToString(CultureInfo.InvariantCulture);
        // Skip slots that are already as small as an empty partition: truncating them frees nothing.
        await using (var size = new NpgsqlCommand(
            $"SELECT pg_relation_size('{table}') > 0 OR pg_indexes_size('{table}') > 8192", conn))
        {
            if (!(bool)(await size.ExecuteScalarAsync(ct))!)
            {
                return false;
            }
        }
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            await using (var cmd = new NpgsqlCommand(
                $"SET LOCAL lock_timeout = '{(int)LockTimeout.TotalMilliseconds}ms'; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", conn, tx))
            {
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await using (var any = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {table})", conn, tx))
            {
                if ((bool)(await any.ExecuteScalarAsync(ct))!)
                {
                    await tx.RollbackAsync(ct);
                    return false;
                }
            }
            await using (var truncate = new NpgsqlCommand($"TRUNCATE {table}", conn, tx))
            {
                await truncate.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await tx.RollbackAsync(ct);
            return false;
        }
    }
}
