using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>Inbox lag per shard: what the lag API, the gauges and the processor's fallback poll read.</summary>
public sealed class LagStore(NpgsqlDataSource dataSource)
{
    /// <summary>Shards with waiting events, ascending; empty shards are omitted. <paramref name="only"/> limits the shards read.</summary>
    public async Task<IReadOnlyList<ShardLag>> ReadAsync(int[]? only, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT shard, sum(event_count)::bigint,
                   greatest(extract(epoch FROM clock_timestamp() - min(received_at)), 0)::float8
            FROM eventide.inbox WHERE ($1::int[] IS NULL OR shard = ANY($1))
            GROUP BY shard ORDER BY shard
            """);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer, (object?)only ?? DBNull.Value);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<ShardLag>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ShardLag(reader.GetInt32(0), reader.GetInt64(1), reader.GetDouble(2)));
        }
        return list;
    }

    /// <summary>
    /// The whole inbox in one reading: events waiting across every shard and the age of the
    /// oldest in seconds (0 when empty). What the ingestion high-water mark compares.
    /// </summary>
    public async Task<(long Events, double OldestAgeSeconds)> TotalAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT coalesce(sum(event_count), 0)::bigint,
                   coalesce(greatest(extract(epoch FROM clock_timestamp() - min(received_at)), 0), 0)::float8
            FROM eventide.inbox
            """);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetDouble(1));
    }
}
