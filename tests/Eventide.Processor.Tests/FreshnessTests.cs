using System.Collections.Concurrent;
using System.Diagnostics;
using Eventide.Core;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Processor.Tests;

public class FreshnessTests(DefaultShardFixture db, ITestOutputHelper output) : IClassFixture<DefaultShardFixture>
{
    // Both ways a shard learns of new rows deliver every event: the NOTIFY and the fallback
    // poll alone. How fast is the bench's figure (eventide-bench reports freshness p50/p95
    // under load on an idle machine); a test on a shared machine only prints it.
    [Fact]
    public async Task Acknowledged_events_reach_the_events_table_by_notify_and_by_the_fallback_poll_alone()
    {
        // The shipped defaults for batching; only the heartbeat is quick so the test starts fast.
        var defaults = new ProcessorOptions();
        await using var host = await ProcessorHost.StartAsync(db.Processors(o =>
        {
            o.Processor.BatchSize = defaults.BatchSize;
            o.Processor.FlushIntervalMs = defaults.FlushIntervalMs;
        }));
        await Eventually.WaitAsync(() => Task.FromResult(host.Local.ShardCount == db.Shards), TimeSpan.FromSeconds(20), "the processor to own every shard");

        var notified = await MeasureAsync("fresh", 200, notify: true);
        var polled = await MeasureAsync("polled", 60, notify: false);

        output.WriteLine($"commit-to-visible with NOTIFY, 200 events, one commit every 25 ms: p50 {notified.P50:F0} ms, p95 {notified.P95:F0} ms, max {notified.Max:F0} ms " +
            $"(flush interval {defaults.FlushIntervalMs} ms)");
        output.WriteLine($"commit-to-visible by the fallback poll alone, 60 events: p50 {polled.P50:F0} ms, p95 {polled.P95:F0} ms, max {polled.Max:F0} ms");
    }

    private async Task<(double P50, double P95, double Max)> MeasureAsync(string prefix, int count, bool notify)
    {
        var committed = new ConcurrentDictionary<string, TimeSpan>();
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                var e = InboxTestWriter.Event($"{prefix}-site-{i % 20}", $"{prefix}-{i}", DateTimeOffset.UtcNow);
                await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, [e], notify);
                committed[e.EventId] = clock.Elapsed;
                await Task.Delay(25);
            }
        });
        var seen = new HashSet<string>();
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(60);
        // Sampled every few milliseconds (Eventually backs off to 200 ms, too coarse to measure with).
        while (seen.Count < count)
        {
            Assert.True(clock.Elapsed < deadline, $"only {seen.Count} of {count} {prefix} events became visible within 60 s");
            var pending = committed.Keys.Where(k => !seen.Contains(k)).ToArray();
            if (pending.Length > 0)
            {
                await using var cmd = db.DataSource.CreateCommand("SELECT event_id FROM eventide.events WHERE event_id = ANY($1)");
                cmd.Parameters.AddWithValue(pending);
                await using var reader = await cmd.ExecuteReaderAsync();
                var now = clock.Elapsed;
                while (await reader.ReadAsync())
                {
                    var id = reader.GetString(0);
                    seen.Add(id);
                    latencies.Add((now - committed[id]).TotalMilliseconds);
                }
            }
            await Task.Delay(5);
        }
        await writer;
        var sorted = latencies.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[(int)Math.Ceiling(sorted.Length * 0.95) - 1], sorted[^1]);
    }
}
