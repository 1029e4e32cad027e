using Eventide.Testing.Dataset;
using Xunit.Abstractions;

namespace Eventide.Query.Tests;

/// <summary>
/// The answer comparisons on plain PostgreSQL: materialized aggregates, refreshed, then late
/// events into refreshed hours (see <see cref="PlainQueryApiFixture"/>).
/// </summary>
public sealed class PlainAnalyticsApiTests(PlainQueryApiFixture fixture, ITestOutputHelper output)
    : AnalyticsApiTests<PlainQueryApiFixture>(fixture, output), IClassFixture<PlainQueryApiFixture>
{
    [Fact]
    public void Fixture_mixes_clean_and_dirty_hours()
    {
        Assert.True(Fixture.LateEvents > 100, $"{Fixture.LateEvents} late events");
        Assert.InRange(Fixture.DirtyHours, 50, 1000);
    }

    [Fact]
    public void Fixture_mixes_materialized_raw_and_fallback_property_days()
    {
        // 4 sites × 30 closed days; the late events fall on 6 days of each site.
        Assert.Equal(EventDataset.SiteIds.Length * EventDataset.Days, Fixture.MaterializedBeforeLate);
        Assert.Equal(EventDataset.SiteIds.Length * (EventDataset.Days - 6), Fixture.MaterializedDays);
        Assert.InRange(Fixture.RevenueFallbackDays, 1, Fixture.MaterializedDays - 1);
    }
}
