using Eventide.Storage.Processing;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Processing;

/// <summary>
/// The dedupe lookup must stay index probes per candidate. Today's event_ids
/// partition grows all day while its statistics lag behind; with a plain
/// EXISTS the planner then chose a hash semi-join over a sequential scan of the
/// whole window, which the benchmark measured at seconds per batch, and a key
/// list is as tempting to scan for with a hashed filter. Nor may it go parallel:
/// starting the workers cost 30–90 ms a batch where the probes took 1 ms.
/// </summary>
public class DedupePlanTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task Seen_ids_lookup_probes_the_index_without_parallel_workers_even_with_stale_statistics_and_a_large_batch()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await new PartitionMaintenance(db.DataSource).EnsureAsync("event_ids", today.AddDays(-1), today.AddDays(1), CancellationToken.None);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        // Statistics taken at 20k rows, then the partition grows tenfold without a new ANALYZE.
        await QueryPlan.ExecAsync(conn, $"""
            ALTER TABLE eventide.{PartitionOf(today)} SET (autovacuum_enabled = false);
            INSERT INTO eventide.event_ids (key, seen_at) SELECT eventide.event_key('s' || (i % 500), md5(i::text)), now() - (i % 3600) * interval '1 second'
            FROM generate_series(1, 20000) i;
            ANALYZE eventide.event_ids;
            INSERT INTO eventide.event_ids (key, seen_at) SELECT eventide.event_key('s' || (i % 500), md5(i::text)), now() - (i % 3600) * interval '1 second'
            FROM generate_series(20001, 200000) i;
            """);

        // A full batch of candidates, a tenth of them already seen.
        var keys = new Guid[5000];
        for (var i = 0; i < keys.Length; i++)
        {
            var n = i % 10 == 0 ? i * 7 + 1 : 1_000_000 + i;
            keys[i] = EventKey.Of("s" + (n % 500), Md5(n));
        }
        await using (var tx = await conn.BeginTransactionAsync())
        {
            // Parallel plans made as cheap as the planner allows: a Gather is then its choice for
            // this partition unless the lookup's own setting rules workers out.
            await QueryPlan.ExecAsync(conn, "SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL min_parallel_index_scan_size = 0");
            await QueryPlan.ExecAsync(conn, ShardConsumer.NoSeqScanSql);
            await QueryPlan.ExecAsync(conn, ShardConsumer.NoParallelSql);
            var nodes = await QueryPlan.ExplainAsync(conn, ShardConsumer.SeenIdsSql, keys, TimeSpan.FromHours(24));

            Assert.DoesNotContain(nodes, n => n.Type.Contains("Hash", StringComparison.Ordinal));
            Assert.DoesNotContain(nodes, n => n.Type == "Seq Scan");
            Assert.DoesNotContain(nodes, n => n.Type.StartsWith("Gather", StringComparison.Ordinal));
            Assert.Contains(nodes, n => n.Type is "Index Scan" or "Index Only Scan" or "Bitmap Heap Scan" && n.Relation == PartitionOf(today));

            // And the answer is right: exactly the tenth that was inserted.
            await using var run = new NpgsqlCommand(ShardConsumer.SeenIdsSql, conn);
            run.Parameters.AddWithValue(keys);
            run.Parameters.AddWithValue(TimeSpan.FromHours(24));
            var seen = new HashSet<Guid>();
            await using (var reader = await run.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    seen.Add(reader.GetGuid(0));
                }
            }
            Assert.Equal(500, seen.Count);
            await QueryPlan.ExecAsync(conn, ShardConsumer.SeqScanBackSql);
            await tx.RollbackAsync();
        }
    }

    private static string PartitionOf(DateOnly day) => $"event_ids_{day:yyyyMMdd}";

    private static string Md5(int n) =>
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.ASCII.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
