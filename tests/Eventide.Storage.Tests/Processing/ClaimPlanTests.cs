using Eventide.Storage.Processing;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Processing;

/// <summary>
/// The claim must read a shard's inbox rows through the (shard, id) index, not as a bitmap.
/// Consumed rows stay dead in their slot's partition until rotation truncates it; a bitmap heap
/// scan visits each of them again on every claim, while an index scan marks the dead entries
/// it passes so that the next claim skips them.
/// </summary>
public class ClaimPlanTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task The_claim_reads_the_shard_by_index_where_the_planner_would_take_a_bitmap()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        // A slot as a busy half minute of one-event requests leaves it: 120,000 small rows over
        // 64 shards, the oldest 100,000 consumed, with statistics that know it.
        await QueryPlan.ExecAsync(conn, """
            INSERT INTO eventide.inbox (slot, shard, event_count, received_at, payload)
            SELECT (SELECT current_slot FROM eventide.inbox_state), i % 64, 1, now(), convert_to(repeat(md5(i::text), 8), 'UTF8')
            FROM generate_series(1, 120000) i;
            DELETE FROM eventide.inbox WHERE id NOT IN (SELECT id FROM eventide.inbox ORDER BY id DESC LIMIT 20000);
            ANALYZE eventide.inbox;
            """);

        // Without the setting the planner takes the bitmap: the case the setting is for.
        var before = await PlanAsync(conn);
        Assert.True(before.Any(n => n.StartsWith("Bitmap", StringComparison.Ordinal)), string.Join(", ", before));

        await QueryPlan.ExecAsync(conn, ShardConsumer.NoBitmapScanSql);
        var plan = await PlanAsync(conn);
        Assert.DoesNotContain(plan, n => n.StartsWith("Bitmap", StringComparison.Ordinal));
        Assert.Contains("Index Scan", plan);

        // The claim still stops at the event budget: 40 one-event rows of the 312 live ones the
        // shard has here, the oldest first.
        await using var claim = new NpgsqlCommand(ShardConsumer.ClaimSql, conn);
        claim.Parameters.AddWithValue(7);
        claim.Parameters.AddWithValue(40);
        var ids = new List<long>();
        await using (var reader = await claim.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        Assert.Equal(40, ids.Count);
        Assert.Equal(ids.Order(), ids);
        await using (var oldest = new NpgsqlCommand("SELECT id FROM eventide.inbox WHERE shard = 7 ORDER BY id LIMIT 40", conn))
        await using (var reader = await oldest.ExecuteReaderAsync())
        {
            var expected = new List<long>();
            while (await reader.ReadAsync())
            {
                expected.Add(reader.GetInt64(0));
            }
            Assert.Equal(expected, ids);
        }
        await QueryPlan.ExecAsync(conn, ShardConsumer.BitmapScanBackSql);
        await tx.RollbackAsync();
    }

    private static async Task<List<string>> PlanAsync(NpgsqlConnection conn) =>
        [.. (await QueryPlan.ExplainAsync(conn, ShardConsumer.ClaimSql, 7, 5000)).Select(n => n.Type)];
}
