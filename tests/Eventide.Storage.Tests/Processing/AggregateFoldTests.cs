using Eventide.Core;
using Eventide.Storage.Analytics;
using Eventide.Storage.Processing;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Processing;

/// <summary>
/// Plain mode's fold (migration 0150) against everything else that writes the aggregates: storing
/// transactions of several shards fold, a direct writer inserts events and marks their hours,
/// the refresher runs rounds, all at once. Every view must agree with raw events in every
/// snapshot taken meanwhile, and with LINQ over the generated events at the end, with the
/// materialized rows themselves exact once nothing is dirty.
/// </summary>
public class AggregateFoldTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    private const int Shards = 64;
    private static readonly int[] UsedShards = [5, 6, 7];
    private static readonly string[] Names = ["pageview", "click", "purchase"];
    private static readonly string?[] Paths = ["/a", "/b", null];

    // Four hours across a midnight, two days ago: minute, hour and day rows all get written.
    private static readonly DateTimeOffset Start = new(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-2).AddHours(22), TimeSpan.Zero);

    /// <summary>
    /// One statement, so one snapshot: the rows of each view over the test's sites that raw
    /// events grouped the same way do not have, and the other way round.
    /// </summary>
    private const string MismatchSql = """
        WITH raw AS (SELECT * FROM eventide.events WHERE site_id = ANY($1)),
        diffs AS (
            ((SELECT bucket, site_id, name, path, events FROM eventide.events_1m WHERE site_id = ANY($1))
             EXCEPT ALL (SELECT date_bin('1 minute', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, path, count(*) FROM raw GROUP BY 1, 2, 3, 4))
            UNION ALL
            ((SELECT date_bin('1 minute', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, path, count(*) FROM raw GROUP BY 1, 2, 3, 4)
             EXCEPT ALL (SELECT bucket, site_id, name, path, events FROM eventide.events_1m WHERE site_id = ANY($1)))
            UNION ALL
            ((SELECT bucket, site_id, name, path, events FROM eventide.events_1h WHERE site_id = ANY($1))
             EXCEPT ALL (SELECT date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, path, count(*) FROM raw GROUP BY 1, 2, 3, 4))
            UNION ALL
            ((SELECT date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, path, count(*) FROM raw GROUP BY 1, 2, 3, 4)
             EXCEPT ALL (SELECT bucket, site_id, name, path, events FROM eventide.events_1h WHERE site_id = ANY($1)))
            UNION ALL
            ((SELECT bucket, site_id, name, path, events FROM eventide.events_1d WHERE site_id = ANY($1))
             EXCEPT ALL (SELECT date_bin('1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, path, count(*) FROM raw GROUP BY 1, 2, 3, 4))
            UNION ALL
            ((SELECT date_bin('1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, path, count(*) FROM raw GROUP BY 1, 2, 3, 4)
             EXCEPT ALL (SELECT bucket, site_id, name, path, events FROM eventide.events_1d WHERE site_id = ANY($1)))
            UNION ALL
            ((SELECT bucket, site_id, NULL::text, user_id, events FROM eventide.users_1h WHERE site_id = ANY($1))
             EXCEPT ALL (SELECT date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, NULL::text, user_id, count(*) FROM raw WHERE user_id IS NOT NULL GROUP BY 1, 2, 4))
            UNION ALL
            ((SELECT date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, NULL::text, user_id, count(*) FROM raw WHERE user_id IS NOT NULL GROUP BY 1, 2, 4)
             EXCEPT ALL (SELECT bucket, site_id, NULL::text, user_id, events FROM eventide.users_1h WHERE site_id = ANY($1)))
            UNION ALL
            ((SELECT bucket, site_id, NULL::text, user_id, events FROM eventide.users_1d WHERE site_id = ANY($1))
             EXCEPT ALL (SELECT date_bin('1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, NULL::text, user_id, count(*) FROM raw WHERE user_id IS NOT NULL GROUP BY 1, 2, 4))
            UNION ALL
            ((SELECT date_bin('1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, NULL::text, user_id, count(*) FROM raw WHERE user_id IS NOT NULL GROUP BY 1, 2, 4)
             EXCEPT ALL (SELECT bucket, site_id, NULL::text, user_id, events FROM eventide.users_1d WHERE site_id = ANY($1)))
            UNION ALL
            ((SELECT bucket, site_id, name, user_id, events FROM eventide.name_users_1d WHERE site_id = ANY($1))
             EXCEPT ALL (SELECT date_bin('1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, user_id, count(*) FROM raw WHERE user_id IS NOT NULL GROUP BY 1, 2, 3, 4))
            UNION ALL
            ((SELECT date_bin('1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, user_id, count(*) FROM raw WHERE user_id IS NOT NULL GROUP BY 1, 2, 3, 4)
             EXCEPT ALL (SELECT bucket, site_id, name, user_id, events FROM eventide.name_users_1d WHERE site_id = ANY($1))))
        SELECT count(*) FROM diffs
        """;

    private static string Site(string prefix, int shard)
    {
        for (var i = 0; ; i++)
        {
            var site = $"{prefix}-{i}";
            if (ShardFunction.ShardOf(site, Shards) == shard)
            {
                return site;
            }
        }
    }

    [Fact]
    public async Task Views_stay_exact_while_folds_direct_marked_writes_and_refreshes_overlap()
    {
        var sites = UsedShards.SelectMany(shard => new[] { Site("fold-a", shard), Site("fold-b", shard) }).ToArray();
        var random = new Random(20261201);
        var folded = new List<EventRecord>[UsedShards.Length];
        for (var s = 0; s < UsedShards.Length; s++)
        {
            folded[s] = [];
        }
        var direct = new List<EventRecord>();
        var next = 0;
        EventRecord NewEvent(string site)
        {
            var id = $"e{next++}";
            return new EventRecord(site, Names[random.Next(Names.Length)], Start.AddSeconds(random.Next(4 * 3600)), id,
                Paths[random.Next(Paths.Length)], null, random.Next(4) == 0 ? null : $"u{random.Next(12)}", null, null, DateTimeOffset.UtcNow);
        }
        const int Rounds = 12;
        var processorRounds = new List<EventRecord>[UsedShards.Length][];
        for (var s = 0; s < UsedShards.Length; s++)
        {
            processorRounds[s] = new List<EventRecord>[Rounds];
            for (var r = 0; r < Rounds; r++)
            {
                processorRounds[s][r] = [.. Enumerable.Range(0, 150).Select(i => NewEvent(sites[(2 * s) + (i % 2)]))];
                folded[s].AddRange(processorRounds[s][r]);
            }
        }
        var directRounds = new List<EventRecord>[Rounds];
        for (var r = 0; r < Rounds; r++)
        {
            directRounds[r] = [.. Enumerable.Range(0, 20).Select(i => NewEvent(sites[random.Next(sites.Length)]))];
            direct.AddRange(directRounds[r]);
        }
        var partitions = new PartitionMaintenance(db.DataSource);
        await partitions.EnsureAsync("events", DateOnly.FromDateTime(Start.UtcDateTime), DateOnly.FromDateTime(Start.UtcDateTime).AddDays(1), CancellationToken.None);

        var refresher = new AggregateRefresher(db.DataSource);
        using var writersDone = new CancellationTokenSource();
        var processors = UsedShards.Select((shard, s) => Task.Run(async () =>
        {
            var consumer = new ShardConsumer(db.DataSource, TimeSpan.FromHours(24));
            foreach (var round in processorRounds[s])
            {
                await InboxTestWriter.WriteAsync(db.DataSource, Shards, round, notify: false);
                while ((await consumer.ConsumeAsync(shard, 100, null, CancellationToken.None)).HasMore)
                {
                }
            }
        })).ToArray();
        var directWriter = Task.Run(async () =>
        {
            foreach (var round in directRounds)
            {
                await InsertAndMarkAsync(round);
            }
        });
        var refreshes = 0;
        var refreshing = Task.Run(async () =>
        {
            while (!writersDone.IsCancellationRequested)
            {
                await refresher.RefreshOnceAsync(TimeSpan.Zero, TimeSpan.Zero, 8, CancellationToken.None);
                refreshes++;
            }
        });
        var checks = 0;
        var checking = Task.Run(async () =>
        {
            while (!writersDone.IsCancellationRequested)
            {
                Assert.Equal(0, await MismatchesAsync(sites));
                checks++;
            }
        });

        await Task.WhenAll([.. processors, directWriter]);
        await writersDone.CancelAsync();
        await Task.WhenAll(refreshing, checking);
        Assert.True(checks > 0 && refreshes > 0, $"{checks} checks and {refreshes} refresh rounds ran during the writes");
        Assert.Equal(0, await MismatchesAsync(sites));

        // Nothing left dirty: the materialized rows alone must equal LINQ over what was written.
        await refresher.RefreshAllAsync(CancellationToken.None);
        var all = folded.SelectMany(f => f).Concat(direct).ToList();
        Assert.Equal(all.Count, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.events WHERE site_id IN ({string.Join(", ", sites.Select(s => $"'{s}'"))})"));
        Assert.Equal(Expected(all, e => (e.SiteId, Floor(e.Timestamp, TimeSpan.FromMinutes(1)), e.Name, e.Path ?? "∅")),
            await ReadAsync(sites, "SELECT site_id, bucket, name, coalesce(path, '∅'), events FROM eventide.events_1m_mat WHERE site_id = ANY($1)"));
        Assert.Equal(Expected(all, e => (e.SiteId, Floor(e.Timestamp, TimeSpan.FromHours(1)), e.Name, e.Path ?? "∅")),
            await ReadAsync(sites, "SELECT site_id, bucket, name, coalesce(path, '∅'), events FROM eventide.events_1h_mat WHERE site_id = ANY($1)"));
        Assert.Equal(Expected(all, e => (e.SiteId, Floor(e.Timestamp, TimeSpan.FromDays(1)), e.Name, e.Path ?? "∅")),
            await ReadAsync(sites, "SELECT site_id, bucket, name, coalesce(path, '∅'), events FROM eventide.events_1d_mat WHERE site_id = ANY($1)"));
        var withUser = all.Where(e => e.UserId is not null).ToList();
        Assert.Equal(Expected(withUser, e => (e.SiteId, Floor(e.Timestamp, TimeSpan.FromHours(1)), "", e.UserId!)),
            await ReadAsync(sites, "SELECT site_id, bucket, '', user_id, events FROM eventide.users_1h_mat WHERE site_id = ANY($1)"));
        Assert.Equal(Expected(withUser, e => (e.SiteId, Floor(e.Timestamp, TimeSpan.FromDays(1)), "", e.UserId!)),
            await ReadAsync(sites, "SELECT site_id, bucket, '', user_id, events FROM eventide.users_1d_mat WHERE site_id = ANY($1)"));
        Assert.Equal(Expected(withUser, e => (e.SiteId, Floor(e.Timestamp, TimeSpan.FromDays(1)), e.Name, e.UserId!)),
            await ReadAsync(sites, "SELECT site_id, bucket, name, user_id, events FROM eventide.name_users_1d_mat WHERE site_id = ANY($1)"));

        // The goal's converted users over a range with partial days at both edges.
        var store = new AnalyticsStore(db.DataSource);
        var range = new TimeRange(Start.AddMinutes(37), Start.AddHours(3).AddMinutes(11).AddSeconds(5));
        foreach (var site in sites)
        {
            var summary = await store.SummaryAsync(site, range, 10, QueryFilter.None, ["pageview"], "purchase", CancellationToken.None);
            var expected = withUser.Where(e => e.SiteId == site && e.Name == "purchase" && e.Timestamp >= range.From && e.Timestamp < range.To)
                .Select(e => e.UserId).Distinct().LongCount();
            Assert.Equal(expected, summary.GoalUsers);
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset t, TimeSpan width) => new(t.UtcTicks - (t.UtcTicks % width.Ticks), TimeSpan.Zero);

    private static List<(string, DateTimeOffset, string, string, long)> Expected(
        IEnumerable<EventRecord> events, Func<EventRecord, (string Site, DateTimeOffset Bucket, string A, string B)> key) =>
        [.. events.GroupBy(key).Select(g => (g.Key.Site, g.Key.Bucket, g.Key.A, g.Key.B, g.LongCount())).Order()];

    private async Task<List<(string, DateTimeOffset, string, string, long)>> ReadAsync(string[] sites, string sql)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue(sites);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, DateTimeOffset, string, string, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4)));
        }
        rows.Sort();
        return rows;
    }

    private async Task<long> MismatchesAsync(string[] sites)
    {
        await using var cmd = db.DataSource.CreateCommand(MismatchSql);
        cmd.Parameters.AddWithValue(sites);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>As loaders do: events straight into the table and their hours marked, in one commit.</summary>
    private async Task InsertAndMarkAsync(List<EventRecord> events)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    INSERT INTO eventide.events (time, site_id, event_id, name, path, user_id, received_at)
                    SELECT t, s, e, n, p, u, now() FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(t, s, e, n, p, u)
                    """)
                {
                    Parameters =
                    {
                        new() { Value = events.Select(e => e.Timestamp).ToArray() }, new() { Value = events.Select(e => e.SiteId).ToArray() },
                        new() { Value = events.Select(e => e.EventId).ToArray() }, new() { Value = events.Select(e => e.Name).ToArray() },
                        new() { Value = events.Select(e => e.Path).ToArray() }, new() { Value = events.Select(e => e.UserId).ToArray() },
                    },
                },
                new NpgsqlBatchCommand("SELECT eventide.mark_aggregates_dirty($1::text[], $2::timestamptz[])")
                {
                    Parameters = { new() { Value = events.Select(e => e.SiteId).ToArray() }, new() { Value = events.Select(e => e.Timestamp).ToArray() } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }
}
