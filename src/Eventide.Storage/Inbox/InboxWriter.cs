using Eventide.Core;
using Npgsql;
using NpgsqlTypes;

namespace Eventide.Storage.Inbox;

/// <summary>
/// Writes a group commit into the inbox: one row per shard holding
/// that shard's events in <see cref="InboxCodec"/> form, into the current slot,
/// and a pg_notify naming the shards, all in one transaction.
/// </summary>
public sealed class InboxWriter(NpgsqlDataSource dataSource, int shards)
{
    public const string NotifyChannel = "eventide_inbox";

    private const string InsertSql = """
        INSERT INTO eventide.inbox (slot, shard, event_count, received_at, payload)
        SELECT (SELECT current_slot FROM eventide.inbox_state), s, c, r, p
        FROM unnest($1::integer[], $2::integer[], $3::timestamptz[], $4::bytea[]) AS t(s, c, r, p)
        """;

    /// <summary>
    /// Opens a pooled connection and runs the commit's statements with no rows in a
    /// transaction that is rolled back (so its notification is never delivered): the
    /// first real commit then pays neither connection setup nor first-call costs,
    /// which could exceed a request's commit deadline.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(conn, tx, [], [], [], [], cancellationToken);
        await tx.RollbackAsync(cancellationToken);
    }

    /// <summary>Commits the events; returns the number of inbox rows written.</summary>
    /// <param name="events">The events of the group commit.</param>
    /// <param name="mayCommit">Asked right before COMMIT; false rolls the transaction back instead.</param>
    /// <param name="cancellationToken">Cancels the transaction (rolling it back) unless COMMIT was sent.</param>
    /// <param name="statementTimeout">
    /// Server-side limit for the insert. Preferred over cancelling through the token: the server
    /// aborts the statement itself, while a client-side cancel sends its cancel request
    /// synchronously on a thread-pool thread, which starves a loaded process.
    /// </param>
    /// <exception cref="InboxCommitException">Nothing was committed, or (when InDoubt) the outcome is unknown.</exception>
    public async Task<int> WriteAsync(IReadOnlyList<EventRecord> events, Func<bool>? mayCommit, CancellationToken cancellationToken, TimeSpan? statementTimeout = null)
    {
        var commitSent = false;
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await conn.BeginTransactionAsync(cancellationToken);
            var rows = await AppendAsync(conn, tx, events, shards, null, cancellationToken, statementTimeout);
            cancellationToken.ThrowIfCancellationRequested();
            if (mayCommit is not null && !mayCommit())
            {
                await tx.RollbackAsync(cancellationToken);
                throw new InboxCommitException(false, "The inbox commit was rolled back: a request of the group gave up waiting", new TimeoutException());
            }
            // Past this point a failure may leave the transaction committed on the server.
            commitSent = true;
            await tx.CommitAsync(cancellationToken);
            return rows;
        }
        catch (PostgresException ex)
        {
            // The server answered with an error: the transaction is rolled back, even for COMMIT.
            throw new InboxCommitException(false, $"The inbox commit failed: {ex.MessageText}", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or IOException)
        {
            throw new InboxCommitException(commitSent,
                commitSent ? $"The inbox commit outcome is unknown: {ex.Message}" : $"The inbox commit failed before COMMIT: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Appends events to the inbox inside the caller's transaction: one row per shard
    /// in the current slot, and the NOTIFY that wakes processors. The one place that
    /// writes inbox rows, for ingestion and for dead-letter replay alike.
    /// </summary>
    /// <param name="enqueuedAt">Receive time recorded on the rows (lag ages count from it); null: the oldest event's.</param>
    /// <returns>The number of inbox rows written.</returns>
    public static async Task<int> AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<EventRecord> events, int shardCount,
        DateTimeOffset? enqueuedAt, CancellationToken cancellationToken, TimeSpan? statementTimeout = null)
    {
        var byShard = new SortedDictionary<int, List<EventRecord>>();
        foreach (var e in events)
        {
            var shard = ShardFunction.ShardOf(e.SiteId, shardCount);
            if (!byShard.TryGetValue(shard, out var list))
            {
                byShard[shard] = list = [];
            }
            list.Add(e);
        }
        var shardIds = new int[byShard.Count];
        var counts = new int[byShard.Count];
        var received = new DateTime[byShard.Count];
        var payloads = new byte[byShard.Count][];
        var i = 0;
        foreach (var (shard, list) in byShard)
        {
            shardIds[i] = shard;
            counts[i] = list.Count;
            // The oldest receive time of the row, so lag ages never understate.
            var oldest = list[0].ReceivedAt;
            foreach (var e in list)
            {
                oldest = e.ReceivedAt < oldest ? e.ReceivedAt : oldest;
            }
            received[i] = (enqueuedAt ?? oldest).UtcDateTime;
            payloads[i] = InboxCodec.Encode(list);
            i++;
        }

        await ExecuteAsync(conn, tx, shardIds, counts, received, payloads, cancellationToken, statementTimeout);
        return shardIds.Length;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        int[] shardIds, int[] counts, DateTime[] received, byte[][] payloads, CancellationToken ct, TimeSpan? statementTimeout = null)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        if (statementTimeout is { } limit)
        {
            // Same round trip as the insert; SET LOCAL takes no parameters, set_config(..., true) does.
            var timeout = new NpgsqlBatchCommand("SELECT set_config('statement_timeout', $1, true)");
            timeout.Parameters.Add(new NpgsqlParameter { Value = Math.Max(1, (int)limit.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            batch.BatchCommands.Add(timeout);
        }
        var insert = new NpgsqlBatchCommand(InsertSql);
        insert.Parameters.Add(new NpgsqlParameter { Value = shardIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter { Value = counts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter { Value = received, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter { Value = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
        notify.Parameters.Add(new NpgsqlParameter { Value = NotifyChannel });
        notify.Parameters.Add(new NpgsqlParameter { Value = string.Join(',', shardIds) });
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(notify);
        await batch.ExecuteNonQueryAsync(ct);
    }
}
