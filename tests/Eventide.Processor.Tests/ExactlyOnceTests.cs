using Eventide.Core;
using Eventide.Testing;

namespace Eventide.Processor.Tests;

[Collection(ClusterMembersCollection.Name)]
public class ExactlyOnceTests(SixteenShardFixture db) : IClassFixture<SixteenShardFixture>
{
    [Fact]
    public async Task Processors_store_exactly_the_distinct_events_when_a_fifth_are_repeats_across_restarts()
    {
        var random = new Random(20260301);
        // Whole seconds: PostgreSQL keeps microseconds, DateTimeOffset ticks.
        var baseTime = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 7200);
        var sites = Enumerable.Range(0, 40).Select(i => $"eo-site-{i}").ToArray();
        var originals = Enumerable.Range(0, 2400)
            .Select(i => InboxTestWriter.Event(sites[random.Next(sites.Length)], $"ev-{i}", baseTime.AddSeconds(random.Next(3600))))
            .ToList();
        // A fifth of all writes are repeats: same (site, event id), another timestamp, sent later.
        var waves = new List<EventRecord>[4];
        for (var w = 0; w < waves.Length; w++)
        {
            waves[w] = [];
        }
        for (var i = 0; i < originals.Count; i++)
        {
            waves[i * waves.Length / originals.Count].Add(originals[i]);
        }
        for (var r = 0; r < 600; r++)
        {
            var original = originals[random.Next(originals.Count)];
            var firstWave = Array.FindIndex(waves, w => w.Contains(original));
            var wave = random.Next(firstWave, waves.Length);
            var retry = original with { Timestamp = original.Timestamp.AddSeconds(random.Next(1, 7200)) };
            // In its own wave the repeat always follows the original, as a client retry would.
            waves[wave].Insert(random.Next(wave == firstWave ? waves[wave].IndexOf(original) + 1 : 0, waves[wave].Count + 1), retry);
        }
        var firstSeen = new Dictionary<(string, string), DateTimeOffset>();
        foreach (var e in waves.SelectMany(w => w))
        {
            firstSeen.TryAdd((e.SiteId, e.EventId), e.Timestamp);
        }

        var options = db.Processors();
        var hosts = new List<ProcessorHost> { await ProcessorHost.StartAsync(options), await ProcessorHost.StartAsync(options) };
        try
        {
            await WriteWaveAsync(waves[0]);
            await DrainedAsync();

            // Restart with cold caches: one processor leaves, a new one joins.
            await hosts[0].StopAsync();
            hosts.Add(await ProcessorHost.StartAsync(options));
            await WriteWaveAsync(waves[1]);

            // Restart while the wave is being consumed.
            await hosts[1].StopAsync();
            hosts.Add(await ProcessorHost.StartAsync(options));
            await WriteWaveAsync(waves[2]);
            await DrainedAsync();

            // Every processor replaced since the first waves: only event_ids remembers them.
            await hosts[2].StopAsync();
            await hosts[3].StopAsync();
            hosts.Add(await ProcessorHost.StartAsync(options));
            await WriteWaveAsync(waves[3]);
            await DrainedAsync();

            var stored = await Db.StoredAsync(db.DataSource);
            Assert.Equal(firstSeen.Count, originals.Count);
            Assert.Equal(firstSeen.Keys.Order(), stored.Keys.Order());
            Assert.All(stored, kv => Assert.Equal(1, kv.Value));
            Assert.Equal(firstSeen.Count, await Db.EventCountAsync(db.DataSource));
            // The first write of an id is the one kept.
            await using var cmd = db.DataSource.CreateCommand("SELECT site_id, event_id, time FROM eventide.events");
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                Assert.Equal(firstSeen[(reader.GetString(0), reader.GetString(1))], reader.GetFieldValue<DateTimeOffset>(2));
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private async Task WriteWaveAsync(List<EventRecord> wave)
    {
        // Commits of 25 events, like ingestion's group commits.
        foreach (var chunk in wave.Chunk(25))
        {
            await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, chunk);
        }
    }

    private Task DrainedAsync() =>
        Eventually.WaitAsync(async () => await Db.InboxEventsAsync(db.DataSource) == 0, TimeSpan.FromSeconds(60), "the inbox to drain");
}
