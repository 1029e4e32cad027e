using Eventide.Processor;
using Eventide.Storage.Processing;
using Npgsql;

namespace Eventide.Reliability.Tests.Harness;

/// <summary>Who owns which shard, from the advisory locks the processors hold.</summary>
public static class Shards
{
    /// <summary>Granted shard locks in the database: shard → backend pid holding it.</summary>
    public static async Task<Dictionary<int, int>> OwnersAsync(NpgsqlDataSource dataSource)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT objid::int, pid FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::oid
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);
        cmd.Parameters.AddWithValue(MemberSession.ShardLockClass);
        await using var reader = await cmd.ExecuteReaderAsync();
        var owners = new Dictionary<int, int>();
        while (await reader.ReadAsync())
        {
            owners[reader.GetInt32(0)] = reader.GetInt32(1);
        }
        return owners;
    }

    /// <summary>
    /// True when <paramref name="members"/> live members are registered and the shards are
    /// locked exactly as the rendezvous assignment over them says: every shard once, by as
    /// many sessions as members are given at least one shard (all of them when there are as many shards as members).
    /// </summary>
    public static async Task<bool> SettledAsync(NpgsqlDataSource dataSource, int members, int shards)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT member_id FROM eventide.processor_members WHERE heartbeat_at > now() - interval '1500 milliseconds' ORDER BY member_id");
        await using var reader = await cmd.ExecuteReaderAsync();
        var live = new List<string>();
        while (await reader.ReadAsync())
        {
            live.Add(reader.GetString(0));
        }
        if (live.Count != members)
        {
            return false;
        }
        var owning = live.Count(m => ShardAssignment.ShardsOf(m, live, shards).Count > 0);
        return await SummaryAsync(dataSource) == (shards, owning);
    }

    /// <summary>(shards locked, distinct owning sessions).</summary>
    public static async Task<(int Locked, int Owners)> SummaryAsync(NpgsqlDataSource dataSource)
    {
        var owners = await OwnersAsync(dataSource);
        return (owners.Count, owners.Values.Distinct().Count());
    }
}
