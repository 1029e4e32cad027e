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
        // Warm the host first: on a loaded machine a cold first commit can outrun its budget and answer 503
        // (retried), which the collectors below would count. They see only what is recorded after they start.
        Assert.Equal(HttpStatusCode.Accepted, (await fx.Host.PostAsync(fx.Demo.WriteKey, """{"site_id":"demo","name":"warm"}""")).StatusCode);

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

        Assert.Equal(["status=202 1", "status=401 1"], Describe(requests));
        Assert.Equal(["outcome=accepted,reason=ok 2", "outcome=rejected,reason=invalid 1"], Describe(events));
        var committed = batches.GetMeasurementSnapshot();
        Assert.Equal(2, committed.Sum(m => m.Value));
        Assert.All(committed, m => Assert.Empty(m.Tags));
        // The one request's two valid events are one pending commit, and this host commits nothing else.
        Assert.Equal([" 2"], Describe(batches));
        var durations = commits.GetMeasurementSnapshot();
        Assert.Equal(committed.Count, durations.Count);
        Assert.All(durations, m => Assert.Equal("committed", m.Tags["outcome"]));
        var duration = Assert.Single(durations);
        Assert.Equal(["outcome=committed"], duration.Tags.Select(t => $"{t.Key}={t.Value}"));
        // A duration is not a fixed number; it is a measured, positive and finite one.
        Assert.True(duration.Value > 0 && double.IsFinite(duration.Value), $"commit duration {duration.Value} s");
        Assert.Equal(0, buffer.LastMeasurement?.Value);
        Assert.Equal([" 0"], Describe(buffer));
        Assert.DoesNotContain(requests.GetMeasurementSnapshot().Concat(events.GetMeasurementSnapshot()),
            m => m.Tags.ContainsKey("site") || m.Tags.ContainsKey("site_id"));
    }

    /// <summary>Each measurement as its whole tag set (sorted by key) and its value, so an extra tag or a stray measurement fails.</summary>
    private static IOrderedEnumerable<string> Describe<T>(MetricCollector<T> collector)
        where T : struct => Describe(collector.GetMeasurementSnapshot());

    private static IOrderedEnumerable<string> Describe<T>(IEnumerable<CollectedMeasurement<T>> measurements)
        where T : struct =>
        measurements
            .Select(m => string.Join(',', m.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")) + " " + m.Value)
            .Order(StringComparer.Ordinal);
}
