using System.Diagnostics.Metrics;
using Eventide.Core;
using Eventide.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Eventide.Processor.Tests;

public class ProcessorMetricsTests(EightShardFixture db) : IClassFixture<EightShardFixture>
{
    [Fact]
    public async Task Processor_counts_exact_outcomes_and_reports_lag_and_owned_shards_on_its_hosts_meter()
    {
        await using var host = await ProcessorHost.StartAsync(db.Processors());
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var events = new MetricCollector<long>(meters, EventideMeter.Name, "eventide_processor_events");
        using var owned = new MetricCollector<int>(meters, EventideMeter.Name, "eventide_processor_shards_owned");
        using var lagEvents = new MetricCollector<long>(meters, EventideMeter.Name, "eventide_processor_lag_events");
        using var lagSeconds = new MetricCollector<double>(meters, EventideMeter.Name, "eventide_processor_lag_seconds");
        var now = DateTimeOffset.UtcNow;
        await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, [
            InboxTestWriter.Event("m-site", "1", now), InboxTestWriter.Event("m-site", "2", now),
            InboxTestWriter.Event("m-site", "1", now.AddSeconds(1)), InboxTestWriter.Event("m-site", "bad", now, """{"x":"\u0000"}"""),
        ]);
        await Eventually.WaitAsync(async () => await Db.InboxEventsAsync(db.DataSource) == 0, TimeSpan.FromSeconds(20), "the inbox to drain");
        // Counted just after the commit that emptied the inbox.
        await Eventually.WaitAsync(() => Task.FromResult(events.GetMeasurementSnapshot().Sum(m => m.Value) >= 4), TimeSpan.FromSeconds(10), "four events to be counted");

        var byOutcome = events.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["outcome"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["stored"] = 2, ["duplicate"] = 1, ["dead_lettered"] = 1 }, byOutcome);

        await Eventually.WaitAsync(() =>
        {
            owned.RecordObservableInstruments();
            lagEvents.RecordObservableInstruments();
            // The lag monitor publishes on its own period: a reading taken before the inbox
            // drained still shows the events, so wait for the first reading after it.
            var lag = lagEvents.GetMeasurementSnapshot();
            return Task.FromResult(owned.LastMeasurement?.Value == db.Shards && lag.Count >= db.Shards
                && lag.TakeLast(db.Shards).All(m => m.Value == 0));
        }, TimeSpan.FromSeconds(20), "the gauges to report every owned shard with the drained inbox");
        lagSeconds.RecordObservableInstruments();
        var expectedShards = Enumerable.Range(0, db.Shards).Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        // The inbox is empty: every shard reports zero, none is missing.
        var lastLag = lagEvents.GetMeasurementSnapshot(clear: true).TakeLast(db.Shards).ToList();
        Assert.Equal(expectedShards, lastLag.Select(m => (string)m.Tags["shard"]!));
        Assert.All(lastLag, m => Assert.Equal(0, m.Value));
        Assert.Equal(expectedShards, lagSeconds.GetMeasurementSnapshot().TakeLast(db.Shards).Select(m => (string)m.Tags["shard"]!));
    }
}
