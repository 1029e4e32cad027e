using Eventide.Core;
using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>
/// Writes inbox rows exactly as ingestion does (one row per shard, into the
/// current slot, with a NOTIFY in the same transaction). The processor uses it
/// only to replay dead letters.
/// </summary>
public static class InboxEnqueue
{
    public const string Channel = "eventide_inbox";

    public static async Task InsertAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, int[] shards, IReadOnlyList<EventRecord>[] events, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var payloads = new byte[shards.Length][];
        var counts = new int[shards.Length];
        var received = new DateTimeOffset[shards.Length];
        for (var i = 0; i < shards.Length; i++)
        {
            payloads[i] = InboxCodec.Encode(events[i]);
            counts[i] = events[i].Count;
            received[i] = receivedAt;
        }
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    INSERT INTO eventide.inbox (slot, shard, event_count, received_at, payload)
                    SELECT (SELECT current_slot FROM eventide.inbox_state), s, c, r, p
                    FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::bytea[]) AS x(s, c, r, p)
                    """)
                {
                    Parameters = { new() { Value = shards }, new() { Value = counts }, new() { Value = received }, new() { Value = payloads } },
                },
                new NpgsqlBatchCommand("SELECT pg_notify($1, $2)")
                {
                    Parameters = { new() { Value = Channel }, new() { Value = string.Join(',', shards) } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
