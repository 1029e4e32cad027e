using Npgsql;

namespace Eventide.Testing;

/// <summary>Reads what the processor stored (events, inbox, dead letters, shard locks), for assertions.</summary>
public static class Db
{
    public static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<string> DeadLetterErrorAsync(NpgsqlDataSource dataSource, long id)
    {
        await using var cmd = dataSource.CreateCommand("SELECT error FROM eventide.dead_letters WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    public static Task<long> InboxEventsAsync(NpgsqlDataSource dataSource) =>
        ScalarAsync(dataSource, "SELECT coalesce(sum(event_count), 0) FROM eventide.inbox");

    public static Task<long> EventCountAsync(NpgsqlDataSource dataSource) =>
        ScalarAsync(dataSource, "SELECT count(*) FROM eventide.events");

    /// <summary>Every stored (site, event id) with how many rows it has.</summary>
    public static async Task<Dictionary<(string Site, string Id), long>> StoredAsync(NpgsqlDataSource dataSource)
    {
        await using var cmd = dataSource.CreateCommand("SELECT site_id, event_id, count(*) FROM eventide.events GROUP BY 1, 2");
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new Dictionary<(string, string), long>();
        while (await reader.ReadAsync())
        {
            result[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
        }
        return result;
    }

    /// <summary>Granted shard locks in this database: shard → backend pids holding it.</summary>
    public static async Task<Dictionary<int, List<int>>> ShardLocksAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT objid::int, pid FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::oid
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, conn);
        cmd.Parameters.AddWithValue(Eventide.Storage.AdvisoryLocks.ShardConsumers);
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new Dictionary<int, List<int>>();
        while (await reader.ReadAsync())
        {
            var shard = reader.GetInt32(0);
            if (!result.TryGetValue(shard, out var pids))
            {
                result[shard] = pids = [];
            }
            pids.Add(reader.GetInt32(1));
        }
        return result;
    }
}
