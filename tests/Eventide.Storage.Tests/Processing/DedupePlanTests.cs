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
            // One probe per key: through a key list a hash index is a bitmap scan whose every
            // match is rechecked against the whole list.
            Assert.DoesNotContain(nodes, n => n.Type.StartsWith("Bitmap", StringComparison.Ordinal));
            Assert.Contains(nodes, n => n.Type == "Index Scan" && n.Relation == PartitionOf(today));

            // And the answer is right: exactly the tenth that was inserted.
            var seen = await SeenAsync(conn, keys);
            Assert.Equal(seen.Count, seen.Distinct().Count());
            Assert.Equal(500, seen.Count);
            Assert.All(seen, k => Assert.Equal(0, Array.IndexOf(keys, k) % 10));

            // A batch a client sent again: every candidate is found, each once.
            await using (var record = new NpgsqlCommand("INSERT INTO eventide.event_ids (key, seen_at) SELECT k, now() FROM unnest($1::uuid[]) AS x(k) WHERE NOT (k = ANY($2::uuid[]))", conn))
            {
                record.Parameters.AddWithValue(keys);
                record.Parameters.AddWithValue(seen.ToArray());
                Assert.Equal(4500, await record.ExecuteNonQueryAsync());
            }
            Assert.Equal(keys.Order().ToArray(), (await SeenAsync(conn, keys)).Order().ToArray());
            await QueryPlan.ExecAsync(conn, ShardConsumer.SeqScanBackSql);
            await tx.RollbackAsync();
        }
    }

    [Fact]
    public async Task Every_event_ids_partition_keys_the_record_by_a_hash_index()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await new PartitionMaintenance(db.DataSource).EnsureAsync("event_ids", today.AddDays(-1), today.AddDays(2), CancellationToken.None);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        // The partitions made ahead take the index from the partitioned table: one index each,
        // a hash index on key, and nothing else to maintain per recorded id.
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT relname FROM pg_class WHERE oid = p.inhrelid)::text, am.amname, pg_get_indexdef(i.indexrelid)
            FROM pg_inherits p
            JOIN pg_index i ON i.indrelid = p.inhrelid
            JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_am am ON am.oid = c.relam
            WHERE p.inhparent = 'eventide.event_ids'::regclass
            """, conn);
        var indexes = new List<(string Partition, string Method, string Definition)>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                indexes.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        Assert.Contains(indexes, x => x.Partition == PartitionOf(today.AddDays(2)));
        Assert.Equal(indexes.Count, indexes.Select(x => x.Partition).Distinct().Count());
        Assert.All(indexes, x =>
        {
            Assert.Equal("hash", x.Method);
            Assert.EndsWith("USING hash (key)", x.Definition, StringComparison.Ordinal);
        });
    }

    private static async Task<List<Guid>> SeenAsync(NpgsqlConnection conn, Guid[] keys)
    {
        await using var run = new NpgsqlCommand(ShardConsumer.SeenIdsSql, conn);
        run.Parameters.AddWithValue(keys);
        run.Parameters.AddWithValue(TimeSpan.FromHours(24));
        var seen = new List<Guid>();
        await using var reader = await run.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            seen.Add(reader.GetGuid(0));
        }
        return seen;
    }

    private static string PartitionOf(DateOnly day) => $"event_ids_{day:yyyyMMdd}";

    private static string Md5(int n) =>
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.ASCII.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
