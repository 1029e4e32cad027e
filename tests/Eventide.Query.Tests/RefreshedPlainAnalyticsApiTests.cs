using Xunit.Abstractions;

namespace Eventide.Query.Tests;

/// <summary>
/// The answer comparisons on plain PostgreSQL with materialized aggregates: refreshed, then
/// late events into refreshed hours (see <see cref="RefreshedPlainQueryApiFixture"/>).
/// </summary>
public sealed class RefreshedPlainAnalyticsApiTests(RefreshedPlainQueryApiFixture fixture, ITestOutputHelper output)
    : AnalyticsApiTests<RefreshedPlainQueryApiFixture>(fixture, output), IClassFixture<RefreshedPlainQueryApiFixture>
{
    [Fact]
    public void Fixture_mixes_clean_and_dirty_hours()
    {
        Assert.True(fixture.LateEvents > 100, $"{fixture.LateEvents} late events");
        Assert.InRange(fixture.DirtyHours, 100, 2000);
    }
}
