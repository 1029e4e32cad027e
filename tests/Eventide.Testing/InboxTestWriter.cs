using Eventide.Core;
using Eventide.Storage.Processing;
using Npgsql;

namespace Eventide.Testing;

/// <summary>
/// Writes inbox rows exactly as the ingestion contract says: in one
/// transaction, one row per shard with InboxCodec.Encode of that shard's
/// events into the current slot, then pg_notify with the shard numbers.
/// </summary>
public static class InboxTestWriter
{
    public static async Task WriteAsync(NpgsqlDataSource dataSource, int shards, IReadOnlyList<EventRecord> events, bool notify = true)
    {
        var groups = events.GroupBy(e => ShardFunction.ShardOf(e.SiteId, shards)).ToList();
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO eventide.inbox (slot, shard, event_count, received_at, payload)
            SELECT (SELECT current_slot FROM eventide.inbox_state), s, c, r, p
            FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::bytea[]) AS x(s, c, r, p)
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(groups.Select(g => g.Key).ToArray());
            cmd.Parameters.AddWithValue(groups.Select(g => g.Count()).ToArray());
            cmd.Parameters.AddWithValue(groups.Select(g => g.Min(e => e.ReceivedAt)).ToArray());
            cmd.Parameters.AddWithValue(groups.Select(g => InboxCodec.Encode([.. g])).ToArray());
            await cmd.ExecuteNonQueryAsync();
        }
        if (notify)
        {
            await using var n = new NpgsqlCommand("SELECT pg_notify($1, $2)", conn, tx);
            n.Parameters.AddWithValue(Eventide.Storage.Inbox.InboxWriter.NotifyChannel);
            n.Parameters.AddWithValue(string.Join(',', groups.Select(g => g.Key)));
            await n.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    /// <summary>Writes a raw payload (for undecodable rows) to a shard.</summary>
    public static async Task WriteRawAsync(NpgsqlDataSource dataSource, int shard, int eventCount, byte[] payload)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO eventide.inbox (slot, shard, event_count, received_at, payload)
            VALUES ((SELECT current_slot FROM eventide.inbox_state), $1, $2, now(), $3)
            """);
        cmd.Parameters.AddWithValue(shard);
        cmd.Parameters.AddWithValue(eventCount);
        cmd.Parameters.AddWithValue(payload);
        await cmd.ExecuteNonQueryAsync();
    }

    public static EventRecord Event(string site, string id, DateTimeOffset time, string? properties = null, string name = "pageview") =>
        new(site, name, time, id, "/p", null, "u-" + id, null, properties, DateTimeOffset.UtcNow);
}
