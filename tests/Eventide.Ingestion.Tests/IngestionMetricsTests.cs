using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;

namespace Eventide.Ingestion.Tests;

public class IngestionMetricsTests(IngestionFixture fx) : IClassFixture<IngestionFixture>
{
    [Fact]
    public async Task Intake_records_requests_events_and_commits_on_the_Eventide_meter()
    {
        var seen = new ConcurrentBag<(string Name, long Value, Dictionary<string, string?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Eventide" && instrument.Name.StartsWith("eventide_ingestion_", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) =>
            seen.Add((i.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()))));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) =>
            seen.Add((i.Name, (long)Math.Ceiling(value), tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()))));
        listener.Start();

        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, """[{"site_id":"demo","name":"m"},{"site_id":"demo","name":"m"},{"site_id":"demo"}]""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Host.PostAsync(null, "{}"u8.ToArray())).StatusCode);
        listener.RecordObservableInstruments();

        // Other classes run in parallel in this process, so expect at least our own measurements.
        Assert.Contains(seen, m => m.Name == "eventide_ingestion_requests" && m.Tags["status"] == "202");
        Assert.Contains(seen, m => m.Name == "eventide_ingestion_requests" && m.Tags["status"] == "401");
        Assert.Contains(seen, m => m.Name == "eventide_ingestion_events" && m.Value == 2 && m.Tags["outcome"] == "accepted");
        Assert.Contains(seen, m => m.Name == "eventide_ingestion_events" && m.Tags["outcome"] == "rejected" && m.Tags["reason"] == "invalid");
        Assert.Contains(seen, m => m.Name == "eventide_ingestion_commit_batch_events" && m.Value >= 2);
        Assert.Contains(seen, m => m.Name == "eventide_ingestion_commit_duration_seconds" && m.Tags["outcome"] == "committed");
        Assert.Contains(seen, m => m.Name == "eventide_ingestion_buffer_events");
        Assert.DoesNotContain(seen, m => m.Tags.ContainsKey("site") || m.Tags.ContainsKey("site_id"));
    }
}
