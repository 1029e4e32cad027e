using System.Diagnostics.Metrics;
using Eventide.Core;
using Eventide.Testing.Dataset;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Eventide.Query.Tests;

public sealed class QueryMetricsTests(SmallQueryApiFixture fixture) : IClassFixture<SmallQueryApiFixture>
{
    [Fact]
    public async Task Each_answered_query_records_one_duration_tagged_by_endpoint_only()
    {
        using var durations = new MetricCollector<double>(fixture.Services.GetRequiredService<IMeterFactory>(), EventideMeter.Name, "eventide_query_duration_seconds");

        var site = EventDataset.SiteIds[2];
        (await fixture.Http.GetAsync(new Uri($"/v1/sites/{site}/breakdown?by=name", UriKind.Relative))).EnsureSuccessStatusCode();
        (await fixture.Http.GetAsync(new Uri($"/stats?site_id={site}&date=2026-01-05", UriKind.Relative))).EnsureSuccessStatusCode();

        var seen = durations.GetMeasurementSnapshot();
        Assert.Equal(["breakdown", "stats"], seen.Select(m => (string)m.Tags["endpoint"]!).Order(StringComparer.Ordinal));
        Assert.All(seen, m => Assert.Equal(["endpoint"], m.Tags.Keys));
        Assert.All(seen, m => Assert.True(m.Value > 0, "a duration is positive"));
    }
}
