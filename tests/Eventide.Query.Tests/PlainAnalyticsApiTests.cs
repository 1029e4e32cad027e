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
}
