using Eventide.Core;
using Npgsql;
using NpgsqlTypes;

namespace Eventide.Storage.Inbox;

/// <summary>
/// Writes a group commit into the inbox: one row per shard holding
/// that shard's events in <see cref="InboxCodec"/> form, into the current slot,
/// in one transaction; once it has committed, <see cref="InboxNotifier"/> wakes the
/// processors for those shards (outside the transaction: see there why).
/// </summary>
public sealed class InboxWriter(NpgsqlDataSource dataSource, int shards, InboxNotifier? notifier = null)
{
    public const string NotifyChannel = "eventide_inbox";

    private readonly InboxNotifier _notifier = notifier ?? new InboxNotifier(dataSource);

    /// <summary>Sends the wake-ups of this writer's commits.</summary>
    public InboxNotifier Notifier => _notifier;

    private const string InsertSql = """
        INSERT INTO eventide.inbox (slot, shard, event_count, received_at, payload)
        SELECT (SELECT current_slot FROM eventide.inbox_state), s, c, r, p
        FROM unnest($1::integer[], $2::integer[], $3::timestamptz[], $4::bytea[]) AS t(s, c, r, p)
        """;

    /// <summary>
    /// Opens a pooled connection and runs the commit's statements with no rows in a
    /// transaction that is rolled back: the
    /// first real commit then pays neither connection setup nor first-call costs,
    /// which could exceed a request's commit deadline.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(conn, tx, new Rows([], [], [], []), notify: false, cancellationToken);
        await tx.RollbackAsync(cancellationToken);
    }

    /// <summary>Commits the events; returns the number of inbox rows written.</summary>
    /// <param name="events">The events of the group commit.</param>
    /// <param name="mayCommit">
    /// Asked right before the insert and its commit are sent, together; false sends nothing. Once
    /// it has said yes, the outcome is the server's: committed, failed (an error, such as the
    /// statement timeout, rolls everything back) or, if the connection breaks, unknown.
    /// </param>
    /// <param name="cancellationToken">Cancels before sending; after, a cancel leaves the outcome unknown.</param>
    /// <param name="statementTimeout">
    /// Server-side limit for the insert. Preferred over cancelling through the token: the server
    /// aborts the statement itself, which rolls back and answers, while a client-side cancel sends
    /// its cancel request synchronously on a thread-pool thread, which starves a loaded process.
    /// </param>
    /// <exception cref="InboxCommitException">Nothing was committed, or (when InDoubt) the outcome is unknown.</exception>
    public async Task<int> WriteAsync(IReadOnlyList<EventRecord> events, Func<bool>? mayCommit, CancellationToken cancellationToken, TimeSpan? statementTimeout = null)
    {
        var rows = Rows.Encode(events, shards, null);
        var commitSent = false;
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (mayCommit is not null && !mayCommit())
            {
                throw new InboxCommitException(false, "The inbox commit was not sent: a request of the group gave up waiting", new TimeoutException());
            }
            // One round trip: a batch without an explicit transaction runs as one implicit
            // transaction, which the server commits, durably (synchronous_commit is on), before it
            // answers. BEGIN … COMMIT would add a second round trip, and under CPU contention each
            // costs two scheduler wake-ups. Past this point a failure may leave it committed.
            commitSent = true;
            await ExecuteAsync(conn, null, rows, notify: false, cancellationToken, statementTimeout);
            _notifier.Post(rows.Shards);
            return rows.Shards.Length;
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
        DateTimeOffset? enqueuedAt, CancellationToken cancellationToken)
    {
        var rows = Rows.Encode(events, shardCount, enqueuedAt);
        await ExecuteAsync(conn, tx, rows, notify: true, cancellationToken);
        return rows.Shards.Length;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Rows rows, bool notify, CancellationToken ct,
        TimeSpan? statementTimeout = null)
    {
        var (shardIds, counts, received, payloads) = rows;
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
        batch.BatchCommands.Add(insert);
        if (notify)
        {
            // Inside the caller's transaction: only dead-letter replay, whose commits are rare
            // enough that the NOTIFY lock they hold through their WAL flush costs nothing.
            var wake = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
            wake.Parameters.Add(new NpgsqlParameter { Value = NotifyChannel });
            wake.Parameters.Add(new NpgsqlParameter { Value = string.Join(',', shardIds) });
            batch.BatchCommands.Add(wake);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A group's inbox rows, one per shard, in shard order: the insert's four arrays.</summary>
    private sealed record Rows(int[] Shards, int[] Counts, DateTime[] Received, byte[][] Payloads)
    {
        public static Rows Encode(IReadOnlyList<EventRecord> events, int shardCount, DateTimeOffset? enqueuedAt)
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
            var rows = new Rows(new int[byShard.Count], new int[byShard.Count], new DateTime[byShard.Count], new byte[byShard.Count][]);
            var i = 0;
            foreach (var (shard, list) in byShard)
            {
                rows.Shards[i] = shard;
                rows.Counts[i] = list.Count;
                // The oldest receive time of the row, so lag ages never understate.
                var oldest = list[0].ReceivedAt;
                foreach (var e in list)
                {
                    oldest = e.ReceivedAt < oldest ? e.ReceivedAt : oldest;
                }
                rows.Received[i] = (enqueuedAt ?? oldest).UtcDateTime;
                rows.Payloads[i] = InboxCodec.Encode(list);
                i++;
            }
            return rows;
        }
    }
}
