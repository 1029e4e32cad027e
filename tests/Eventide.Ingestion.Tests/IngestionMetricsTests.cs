using System.Diagnostics.Metrics;
using System.Net;
using Eventide.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Eventide.Ingestion.Tests;

public class IngestionMetricsTests(IngestionFixture fx) : IClassFixture<IngestionFixture>
{
    [Fact]
    public async Task Intake_records_exact_requests_events_and_commits_on_its_hosts_meter()
    {
        // The fixture's host has its own IMeterFactory: nothing another test class records reaches these collectors.
        var meters = fx.Host.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meters, EventideMeter.Name, "eventide_ingestion_requests");
        using var events = new MetricCollector<long>(meters, EventideMeter.Name, "eventide_ingestion_events");
        using var batches = new MetricCollector<long>(meters, EventideMeter.Name, "eventide_ingestion_commit_batch_events");
        using var commits = new MetricCollector<double>(meters, EventideMeter.Name, "eventide_ingestion_commit_duration_seconds");
        using var buffer = new MetricCollector<long>(meters, EventideMeter.Name, "eventide_ingestion_buffer_events");

        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, """[{"site_id":"demo","name":"m"},{"site_id":"demo","name":"m"},{"site_id":"demo"}]""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Host.PostAsync(null, "{}"u8.ToArray())).StatusCode);
        buffer.RecordObservableInstruments();

        Assert.Equal(["202:1", "401:1"], requests.GetMeasurementSnapshot().Select(m => $"{m.Tags["status"]}:{m.Value}").Order(StringComparer.Ordinal));
        Assert.Equal(["accepted/ok:2", "rejected/invalid:1"],
            events.GetMeasurementSnapshot().Select(m => $"{m.Tags["outcome"]}/{m.Tags["reason"]}:{m.Value}").Order(StringComparer.Ordinal));
        var committed = batches.GetMeasurementSnapshot();
        Assert.Equal(2, committed.Sum(m => m.Value));
        Assert.All(committed, m => Assert.Empty(m.Tags));
        var durations = commits.GetMeasurementSnapshot();
        Assert.Equal(committed.Count, durations.Count);
        Assert.All(durations, m => Assert.Equal("committed", m.Tags["outcome"]));
        Assert.Equal(0, buffer.LastMeasurement?.Value);
        Assert.DoesNotContain(requests.GetMeasurementSnapshot().Concat(events.GetMeasurementSnapshot()),
            m => m.Tags.ContainsKey("site") || m.Tags.ContainsKey("site_id"));
    }
}
