using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Eventide.Testing.Dataset;

namespace Eventide.Query.Tests;

public sealed class QueryMetricsTests(SmallQueryApiFixture fixture) : IClassFixture<SmallQueryApiFixture>
{
    [Fact]
    public async Task Each_answered_query_records_its_duration_tagged_by_endpoint_only()
    {
        var seen = new ConcurrentBag<(double Seconds, KeyValuePair<string, object?>[] Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Eventide" && instrument.Name == "eventide_query_duration_seconds")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => seen.Add((value, tags.ToArray())));
        listener.Start();

        var site = EventDataset.SiteIds[2];
        (await fixture.Http.GetAsync(new Uri($"/v1/sites/{site}/breakdown?by=name", UriKind.Relative))).EnsureSuccessStatusCode();
        (await fixture.Http.GetAsync(new Uri($"/stats?site_id={site}&date=2026-01-05", UriKind.Relative))).EnsureSuccessStatusCode();

        foreach (var endpoint in new[] { "breakdown", "stats" })
        {
            var m = seen.Where(s => s.Tags.Any(t => t.Key == "endpoint" && (string?)t.Value == endpoint)).ToList();
            Assert.NotEmpty(m);
            Assert.All(m, x => Assert.InRange(x.Seconds, 0, 60));
        }
        Assert.All(seen, s => Assert.Equal(["endpoint"], s.Tags.Select(t => t.Key)));
    }
}
