using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eventide.Testing.Dataset;
using Xunit.Abstractions;

namespace Eventide.Query.Tests;

/// <summary>
/// Every endpoint's answers over the standard dataset, compared with LINQ
/// over the generated events. Abstract over the database so each storage
/// mode runs the same comparisons: subclass with a fixture.
/// </summary>
public abstract class AnalyticsApiTests<TFixture>(TFixture fixture, ITestOutputHelper output)
    where TFixture : QueryApiFixture
{
    protected TFixture Fixture { get; } = fixture;

    private IReadOnlyList<Core.EventRecord> Events => Fixture.Dataset.Events;

    private static IEnumerable<string> Sites => EventDataset.SiteIds;

    [Fact]
    public void Dataset_is_large_skewed_and_repeats_users()
    {
        Assert.True(Events.Count >= 100_000, $"{Events.Count} events");
        Assert.Equal(EventDataset.SiteIds.Length, Events.Select(e => e.SiteId).Distinct().Count());
        var topPath = Events.Where(e => e.Path is not null).GroupBy(e => e.Path).Max(g => g.Count());
        var medianPath = Events.Where(e => e.Path is not null).GroupBy(e => e.Path).Select(g => g.Count()).Order().ElementAt(75);
        Assert.True(topPath > 10 * medianPath, $"top path {topPath}, median {medianPath}");
        Assert.True(Events.Count(e => e.UserId is not null) > 5 * Events.Where(e => e.UserId is not null).Select(e => (e.SiteId, e.UserId)).Distinct().Count());
        Assert.Contains(Events, e => e.UserId is null);
        Assert.Contains(Events, e => e.Path is null);
        output.WriteLine($"{Events.Count} events loaded in {Fixture.LoadTime.TotalSeconds:0.00} s ({Events.Count / Fixture.LoadTime.TotalSeconds:0} events/s)");
        Assert.True(Fixture.LoadTime < TimeSpan.FromSeconds(60), $"loading took {Fixture.LoadTime}");
    }

    [Theory]
    [MemberData(nameof(QueryRanges.Names), MemberType = typeof(QueryRanges))]
    public async Task Summary_matches_linq(string range)
    {
        var (from, to) = QueryRanges.All[range];
        foreach (var site in Sites)
        {
            var expected = Expectations.SummaryOf(Events, site, from, to, 10);
            using var doc = await GetJsonAsync($"/v1/sites/{site}/summary?{QueryRanges.Query(range)}");
            var root = doc.RootElement;
            Assert.Equal(expected.Events, root.GetProperty("events").GetInt64());
            Assert.Equal(expected.Pageviews, root.GetProperty("pageviews").GetInt64());
            Assert.Equal(expected.UniqueUsers, root.GetProperty("unique_users").GetInt64());
            Assert.Equal(expected.TopPaths, Pairs(root.GetProperty("top_paths"), "path", "pageviews").Select(p => (p.Key!, p.Count)).ToList());
            Assert.Equal(expected.TopNames, Pairs(root.GetProperty("top_events"), "name", "events").Select(p => (p.Key!, p.Count)).ToList());
        }
    }

    [Theory]
    [MemberData(nameof(QueryRanges.WithIntervals), MemberType = typeof(QueryRanges))]
    public async Task Timeseries_matches_linq(string range, string interval)
    {
        var (from, to) = QueryRanges.All[range];
        foreach (var site in Sites)
        {
            var expected = Expectations.Timeseries(Events, site, from, to, interval);
            using var doc = await GetJsonAsync($"/v1/sites/{site}/timeseries?interval={interval}&{QueryRanges.Query(range)}");
            Assert.Equal(expected, Points(doc.RootElement));
        }
    }

    [Theory]
    [InlineData("unaligned-days", "hour", "signup")]
    [InlineData("unaligned-hours", "minute", "pageview")]
    [InlineData("one-day", "day", "purchase")]
    public async Task Timeseries_with_a_name_matches_linq(string range, string interval, string name)
    {
        var (from, to) = QueryRanges.All[range];
        foreach (var site in Sites)
        {
            var expected = Expectations.Timeseries(Events, site, from, to, interval, name);
            using var doc = await GetJsonAsync($"/v1/sites/{site}/timeseries?interval={interval}&name={name}&{QueryRanges.Query(range)}");
            Assert.Equal(expected, Points(doc.RootElement));
        }
    }

    [Fact]
    public async Task Timeseries_fills_the_gap_with_zero_buckets()
    {
        using var doc = await GetJsonAsync($"/v1/sites/{EventDataset.SiteIds[0]}/timeseries?interval=minute&{QueryRanges.Query("gap")}");
        var points = Points(doc.RootElement);
        var (from, to) = QueryRanges.All["gap"];
        Assert.Equal((int)Math.Ceiling((to - from).TotalMinutes), points.Count);
        Assert.Equal(180, points.Count(p => p.Bucket >= EventDataset.Gap.From && p.Bucket < EventDataset.Gap.To && p.Events == 0 && p.UniqueUsers == 0));
        Assert.True(points.Where(p => p.Bucket < EventDataset.Gap.From).Sum(p => p.Events) > 0);
    }

    public static TheoryData<string, string> BreakdownCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var range in new[] { "full-30-days", "unaligned-days", "unaligned-hours", "sub-minute" })
        {
            foreach (var by in new[] { "path", "name", "referrer" })
            {
                data.Add(range, by);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BreakdownCases))]
    public async Task Breakdown_matches_linq(string range, string by)
    {
        var (from, to) = QueryRanges.All[range];
        foreach (var site in Sites)
        {
            var expected = Expectations.Breakdown(Events, site, from, to, by, 25);
            using var doc = await GetJsonAsync($"/v1/sites/{site}/breakdown?by={by}&limit=25&{QueryRanges.Query(range)}");
            Assert.Equal(expected, Pairs(doc.RootElement.GetProperty("rows"), "key", "events"));
        }
    }

    public static TheoryData<string, string, string> FunnelCases() => new()
    {
        { "full-30-days", """[{"name":"pageview","path":"/pricing"},{"name":"signup"},{"name":"purchase"}]""", "\"window\":\"PT1H\"" },
        { "unaligned-days", """[{"name":"pageview","path":"/pricing"},{"name":"signup","path":"/signup"}]""", "\"window_seconds\":1800" },
        { "full-30-days", """[{"name":"pageview"},{"name":"pageview"},{"name":"click"},{"name":"purchase"}]""", "\"window\":\"P1D\"" },
        { "one-day", """[{"name":"signup"},{"name":"purchase","path":"/checkout"}]""", "\"window\":\"PT3H\"" },
    };

    [Theory]
    [MemberData(nameof(FunnelCases))]
    public async Task Funnel_matches_linq(string range, string steps, string window)
    {
        var (from, to) = QueryRanges.All[range];
        var parsedSteps = JsonSerializer.Deserialize<JsonElement[]>(steps)!
            .Select(s => new Expectations.Step(s.GetProperty("name").GetString()!, s.TryGetProperty("path", out var p) ? p.GetString() : null)).ToList();
        var windowSpan = window.Contains("window_seconds", StringComparison.Ordinal) ? TimeSpan.FromSeconds(1800)
            : System.Xml.XmlConvert.ToTimeSpan(window.Split(':')[1].Trim('"'));
        foreach (var site in Sites)
        {
            var expected = Expectations.Funnel(Events, site, from, to, parsedSteps, windowSpan);
            var body = $$"""{"steps":{{steps}},{{window}},"from":"{{QueryRanges.Format(from)}}","to":"{{QueryRanges.Format(to)}}"}""";
            using var response = await Fixture.Http.PostAsync(new Uri($"/v1/sites/{site}/funnel", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var actual = doc.RootElement.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(expected, actual.Select(s => s.GetProperty("users").GetInt64()).ToArray());
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[0] == 0 ? 0 : (double)expected[i] / expected[0], actual[i].GetProperty("conversion").GetDouble(), 12);
                Assert.Equal(parsedSteps[i].Name, actual[i].GetProperty("name").GetString());
            }
        }
        // The journeys make the first funnel non-trivial: some users drop off at each step.
        if (steps.Contains("/pricing", StringComparison.Ordinal) && range == "full-30-days")
        {
            var site0 = Expectations.Funnel(Events, EventDataset.SiteIds[0], from, to, parsedSteps, windowSpan);
            Assert.True(site0[0] > site0[1] && site0[1] > site0[2] && site0[2] > 0, string.Join(",", site0));
        }
    }

    public static TheoryData<string, string, int> EventPagingCases() => new()
    {
        { "unaligned-hours", "", 97 },
        { "one-day", "&name=signup", 50 },
        { "full-30-days", "&user_id=u3", 1000 },
        { "full-30-days", "&path=/tie", 7 },
        { "full-30-days", "&session_id=u1-4&name=pageview", 3 },
    };

    [Theory]
    [MemberData(nameof(EventPagingCases))]
    public async Task Events_pages_walk_the_filtered_events_in_order(string range, string filter, int limit)
    {
        var (from, to) = QueryRanges.All[range];
        var args = filter.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Split('=')).ToDictionary(a => a[0], a => a[1]);
        foreach (var site in Sites)
        {
            var expected = Expectations.RawEvents(Events, site, from, to,
                args.GetValueOrDefault("name"), args.GetValueOrDefault("path"), args.GetValueOrDefault("user_id"), args.GetValueOrDefault("session_id"));
            var seen = new List<JsonElement>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var url = $"/v1/sites/{site}/events?{QueryRanges.Query(range)}{filter}&limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
                using var doc = await GetJsonAsync(url);
                var page = doc.RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone()).ToList();
                Assert.True(page.Count <= limit);
                seen.AddRange(page);
                cursor = doc.RootElement.GetProperty("next_cursor").GetString();
                Assert.True(cursor is null || page.Count == limit, "a short page must be the last");
                pages++;
            }
            while (cursor is not null && pages < 1000);
            Assert.Equal(expected.Select(e => e.EventId), seen.Select(e => e.GetProperty("event_id").GetString()));
            for (var i = 0; i < expected.Count; i++)
            {
                var e = expected[i];
                var a = seen[i];
                Assert.Equal(e.Timestamp, a.GetProperty("time").GetDateTimeOffset());
                Assert.Equal(e.Name, a.GetProperty("name").GetString());
                Assert.Equal(e.Path, a.GetProperty("path").GetString());
                Assert.Equal(e.Referrer, a.GetProperty("referrer").GetString());
                Assert.Equal(e.UserId, a.GetProperty("user_id").GetString());
                Assert.Equal(e.SessionId, a.GetProperty("session_id").GetString());
                Assert.Equal(e.ReceivedAt, a.GetProperty("received_at").GetDateTimeOffset());
                var props = a.GetProperty("properties");
                Assert.Equal(e.Properties is null, props.ValueKind == JsonValueKind.Null);
                if (e.Properties is not null)
                {
                    using var want = JsonDocument.Parse(e.Properties);
                    Assert.Equal(want.RootElement.GetProperty("n").GetInt32(), props.GetProperty("n").GetInt32());
                }
            }
        }
    }

    [Fact]
    public async Task Events_paging_splits_a_group_of_equal_times_without_loss()
    {
        var expected = Expectations.RawEvents(Events, EventDataset.SiteIds[0], EventDataset.TieTime, EventDataset.TieTime.AddMilliseconds(1));
        Assert.True(expected.Count >= EventDataset.TieCount);
        var ids = new List<string>();
        string? cursor = null;
        var range = $"from={QueryRanges.Format(EventDataset.TieTime)}&to={QueryRanges.Format(EventDataset.TieTime.AddMilliseconds(1))}";
        do
        {
            using var doc = await GetJsonAsync($"/v1/sites/{EventDataset.SiteIds[0]}/events?{range}&limit=4" + (cursor is null ? "" : $"&cursor={cursor}"));
            ids.AddRange(doc.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!));
            cursor = doc.RootElement.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(expected.Select(e => e.EventId), ids);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(29)]
    [InlineData(30)]
    public async Task Stats_matches_linq_for_a_day(int day)
    {
        var date = EventDataset.Start.AddDays(day);
        foreach (var site in Sites)
        {
            var expected = Expectations.SummaryOf(Events, site, date, date.AddDays(1), 10);
            var text = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            using var doc = await GetJsonAsync($"/stats?site_id={site}&date={text}");
            var root = doc.RootElement;
            Assert.Equal(site, root.GetProperty("site_id").GetString());
            Assert.Equal(text, root.GetProperty("date").GetString());
            Assert.Equal(expected.Pageviews, root.GetProperty("total_views").GetInt64());
            Assert.Equal(expected.UniqueUsers, root.GetProperty("unique_users").GetInt64());
            Assert.Equal(expected.TopPaths, Pairs(root.GetProperty("top_paths"), "path", "views").Select(p => (p.Key!, p.Count)).ToList());
        }
    }

    [Fact]
    public async Task Read_key_of_the_site_gets_the_same_answer_as_the_admin()
    {
        var site = EventDataset.SiteIds[1];
        using var reader = Fixture.Client(Fixture.Keys[site].ReadKey);
        var url = $"/v1/sites/{site}/summary?{QueryRanges.Query("unaligned-days")}";
        var asReader = await reader.GetStringAsync(new Uri(url, UriKind.Relative));
        var asAdmin = await Fixture.Http.GetStringAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(asAdmin, asReader);
    }

    protected async Task<JsonDocument> GetJsonAsync(string url)
    {
        using var response = await Fixture.Http.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} → {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    private static List<(string? Key, long Count)> Pairs(JsonElement array, string key, string count) =>
        array.EnumerateArray().Select(e => (e.GetProperty(key).GetString(), e.GetProperty(count).GetInt64())).ToList();

    private static List<Expectations.Point> Points(JsonElement root) =>
        root.GetProperty("points").EnumerateArray()
            .Select(p => new Expectations.Point(p.GetProperty("bucket").GetDateTimeOffset(), p.GetProperty("events").GetInt64(), p.GetProperty("unique_users").GetInt64()))
            .ToList();
}
