using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>
/// A processor member's dedicated, long-lived connection: it heartbeats in
/// <c>eventide.processor_members</c> and holds one session-level advisory lock
/// per owned shard. Locks live exactly as long as this session, so a member
/// that dies (kill -9, lost network) loses its shards with its connection and
/// never needs to release them. Not thread-safe: one caller (the coordinator
/// loop) uses it at a time.
/// </summary>
public sealed class MemberSession : IAsyncDisposable
{
    /// <summary>First key of the two-key advisory locks on shards ("EVPR"); the second key is the shard.</summary>
    public const int ShardLockClass = 0x45565052;

    private readonly NpgsqlConnection _connection;

    private MemberSession(NpgsqlConnection connection, string memberId, int backendPid)
    {
        _connection = connection;
        MemberId = memberId;
        BackendPid = backendPid;
    }

    public string MemberId { get; }

    /// <summary>The server process holding the locks; consume transactions check it still holds their shard.</summary>
    public int BackendPid { get; }

    /// <summary>Opens the session and registers the member (or refreshes it when the id is already known).</summary>
    public static async Task<MemberSession> OpenAsync(string connectionString, string memberId, string host, CancellationToken cancellationToken)
    {
        // Unpooled: a pooled connection would go back to the pool on dispose
        // with its session, and so its shard locks, still alive.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = "eventide-processor-member",
        }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO eventide.processor_members (member_id, host) VALUES ($1, $2)
                ON CONFLICT (member_id) DO UPDATE SET heartbeat_at = now(), host = EXCLUDED.host
                RETURNING pg_backend_pid()
                """, connection);
            cmd.Parameters.AddWithValue(memberId);
            cmd.Parameters.AddWithValue(host);
            var pid = (int)(await cmd.ExecuteScalarAsync(cancellationToken))!;
            return new MemberSession(connection, memberId, pid);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Refreshes this member's heartbeat and returns the live members (heartbeat
    /// within <paramref name="timeout"/> by the database clock, so members on
    /// hosts with skewed clocks still agree), sorted by id. Rows of members
    /// dead for ten timeouts are removed on the way.
    /// </summary>
    public async Task<IReadOnlyList<string>> HeartbeatAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(_connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    INSERT INTO eventide.processor_members (member_id, host) VALUES ($1, $2)
                    ON CONFLICT (member_id) DO UPDATE SET heartbeat_at = now()
                    """)
                {
                    Parameters = { new() { Value = MemberId }, new() { Value = Environment.MachineName } },
                },
                new NpgsqlBatchCommand("DELETE FROM eventide.processor_members WHERE heartbeat_at < now() - $1 * 10")
                {
                    Parameters = { new() { Value = timeout } },
                },
                new NpgsqlBatchCommand(
                    "SELECT member_id FROM eventide.processor_members WHERE heartbeat_at > now() - $1 ORDER BY member_id")
                {
                    Parameters = { new() { Value = timeout } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var members = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(reader.GetString(0));
        }
        return members;
    }

    /// <summary>Takes the shard's lock without waiting; false while another member still holds it.</summary>
    public async Task<bool> TryLockShardAsync(int shard, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", _connection);
        cmd.Parameters.AddWithValue(ShardLockClass);
        cmd.Parameters.AddWithValue(shard);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task UnlockShardAsync(int shard, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", _connection);
        cmd.Parameters.AddWithValue(ShardLockClass);
        cmd.Parameters.AddWithValue(shard);
        await cmd.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Removes this member's row so the others rebalance at once instead of after the heartbeat timeout.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(_connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT pg_advisory_unlock_all()"),
                new NpgsqlBatchCommand("DELETE FROM eventide.processor_members WHERE member_id = $1")
                {
                    Parameters = { new() { Value = MemberId } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
