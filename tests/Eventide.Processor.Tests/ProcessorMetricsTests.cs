using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Eventide.Testing;

namespace Eventide.Processor.Tests;

public class ProcessorMetricsTests(EightShardFixture db) : IClassFixture<EightShardFixture>
{
    [Fact]
    public async Task Processor_counts_outcomes_and_reports_lag_and_owned_shards()
    {
        var counts = new ConcurrentDictionary<string, long>();
        var gauges = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Eventide" && instrument.Name.StartsWith("eventide_processor_", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "eventide_processor_events")
            {
                foreach (var tag in tags)
                {
                    counts.AddOrUpdate((string)tag.Value!, value, (_, v) => v + value);
                }
            }
            else
            {
                gauges[instrument.Name + Tags(tags)] = value;
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => gauges[instrument.Name + Tags(tags)] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => gauges[instrument.Name + Tags(tags)] = value);
        listener.Start();

        await using var host = await ProcessorHost.StartAsync(db.Processors());
        var now = DateTimeOffset.UtcNow;
        await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, [
            InboxTestWriter.Event("m-site", "1", now), InboxTestWriter.Event("m-site", "2", now),
            InboxTestWriter.Event("m-site", "1", now.AddSeconds(1)), InboxTestWriter.Event("m-site", "bad", now, """{"x":"\u0000"}"""),
        ]);
        await Eventually.WaitAsync(async () => await Db.InboxEventsAsync(db.DataSource) == 0, TimeSpan.FromSeconds(20), "the inbox to drain");
        // Counted just after the commit that emptied the inbox.
        await Eventually.WaitAsync(() => Task.FromResult(counts.Values.Sum() >= 4), TimeSpan.FromSeconds(10), "four events to be counted");

        Assert.Equal(2, counts.GetValueOrDefault("stored"));
        Assert.Equal(1, counts.GetValueOrDefault("duplicate"));
        Assert.Equal(1, counts.GetValueOrDefault("dead_lettered"));

        await Eventually.WaitAsync(() =>
        {
            listener.RecordObservableInstruments();
            return Task.FromResult(gauges.GetValueOrDefault("eventide_processor_shards_owned") == db.Shards
                && gauges.ContainsKey($"eventide_processor_lag_events shard={db.Shards - 1}"));
        }, TimeSpan.FromSeconds(20), "the gauges to report every owned shard");
        Assert.All(Enumerable.Range(0, db.Shards), s => Assert.True(gauges.ContainsKey($"eventide_processor_lag_seconds shard={s}")));
    }

    private static string Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = "";
        foreach (var tag in tags)
        {
            text += $" {tag.Key}={tag.Value}";
        }
        return text;
    }
}
