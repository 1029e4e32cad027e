using Eventide.Storage.Analytics;
using Eventide.Testing.Dataset;
using Npgsql;
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
    public async Task Fixture_mixes_clean_and_dirty_hours()
    {
        Assert.True(Fixture.LateEvents > 100, $"{Fixture.LateEvents} late events");
        Assert.InRange(Fixture.DirtyHours, 50, 1000);
        // Few enough runs per site that summary and timeseries read the materialized tables
        // around them (the view fallback has its own test below).
        foreach (var site in EventDataset.SiteIds)
        {
            Assert.InRange(await DirtyRunsAsync(site), 0, AnalyticsStore.MaxDirtyRuns);
        }
    }

    [Fact]
    public async Task Ranges_with_more_dirty_runs_than_the_limit_read_the_views_and_match_linq()
    {
        // Every other clean hour of the first two weeks marked dirty. A mark changes no
        // materialized row, so deleting exactly these marks afterwards restores the fixture.
        await using var mark = Fixture.DataSource.CreateCommand("""
            INSERT INTO eventide.aggregate_dirty (site_id, hour)
            SELECT s, h FROM unnest($1::text[]) s, generate_series($2::timestamptz, $3::timestamptz, INTERVAL '2 hours') h
            ON CONFLICT (site_id, hour) DO NOTHING
            RETURNING site_id, hour
            """);
        mark.Parameters.AddWithValue(EventDataset.SiteIds);
        mark.Parameters.AddWithValue(EventDataset.Start);
        mark.Parameters.AddWithValue(EventDataset.Start.AddDays(14));
        var marked = new List<(string Site, DateTimeOffset Hour)>();
        await using (var reader = await mark.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                marked.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
            }
        }
        try
        {
            foreach (var site in EventDataset.SiteIds)
            {
                Assert.True(await DirtyRunsAsync(site) > AnalyticsStore.MaxDirtyRuns);
            }
            await Summary_matches_linq("unaligned-days");
            await Summary_matches_linq("full-30-days");
            await Timeseries_matches_linq("unaligned-days", "day");
            await Timeseries_matches_linq("unaligned-days", "hour");
        }
        finally
        {
            await using var unmark = Fixture.DataSource.CreateCommand(
                "DELETE FROM eventide.aggregate_dirty d USING unnest($1::text[], $2::timestamptz[]) m(s, h) WHERE d.site_id = m.s AND d.hour = m.h");
            unmark.Parameters.AddWithValue(marked.Select(m => m.Site).ToArray());
            unmark.Parameters.AddWithValue(marked.Select(m => m.Hour).ToArray());
            await unmark.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Runs of consecutive dirty hours of the site: a run starts at an hour whose predecessor is clean.</summary>
    private async Task<long> DirtyRunsAsync(string site)
    {
        await using var cmd = Fixture.DataSource.CreateCommand("""
            SELECT count(*) FROM eventide.aggregate_dirty d WHERE d.site_id = $1
            AND NOT EXISTS (SELECT 1 FROM eventide.aggregate_dirty p WHERE p.site_id = d.site_id AND p.hour = d.hour - INTERVAL '1 hour')
            """);
        cmd.Parameters.AddWithValue(site);
        return (long)(await cmd.ExecuteScalarAsync())!;
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
