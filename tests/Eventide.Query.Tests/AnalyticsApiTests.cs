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
        // A guard against a pathological loader, not a measurement: the WebAssembly engine on a
        // shared 2-core machine takes minutes, so the bound is generous.
        Assert.True(Fixture.LoadTime < TimeSpan.FromMinutes(5), $"loading took {Fixture.LoadTime}");
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
                    Assert.True(JsonElement.DeepEquals(want.RootElement, props), $"{e.Properties} vs {props}");
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

    /// <summary>Filter cases: the query string and the same filter for LINQ.</summary>
    public static TheoryData<string, string> FilterCases() => new()
    {
        { "full-30-days", "" },
        { "unaligned-days", "name=pageview" },
        { "unaligned-hours", "path=/pricing" },
        { "full-30-days", "filter=property:country=DE" },
        { "unaligned-days", "filter=property:country=US&filter=property:device=mobile&name=pageview" },
        { "one-day", "filter=property:utm_campaign=launch&path=/" },
    };

    private static Expectations.Filter ParseFilter(string query)
    {
        string? name = null, path = null;
        var properties = new List<(string, string)>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (k, v) = (pair[..eq], pair[(eq + 1)..]);
            switch (k)
            {
                case "name": name = v; break;
                case "path": path = v; break;
                default:
                    var inner = v["property:".Length..].Split('=');
                    properties.Add((inner[0], inner[1]));
                    break;
            }
        }
        return new Expectations.Filter(name, path, properties);
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task Summary_with_filters_previous_period_and_goal_matches_linq(string range, string filter)
    {
        var (from, to) = QueryRanges.All[range];
        var where = ParseFilter(filter);
        string[] pageviews = ["pageview", "page_view", "view"];
        foreach (var site in Sites)
        {
            using var doc = await GetJsonAsync($"/v1/sites/{site}/summary?{QueryRanges.Query(range)}&goal=signup&{filter}");
            var root = doc.RootElement;
            // The query sends milliseconds; the previous period is computed from the range as parsed.
            var sent = (From: root.GetProperty("from").GetDateTimeOffset(), To: root.GetProperty("to").GetDateTimeOffset());
            var previousFrom = sent.From - (sent.To - sent.From);
            var expected = Expectations.SummaryOf(Events, site, from, to, 10, where, pageviews);
            var previous = Expectations.SummaryOf(Events, site, previousFrom, sent.From, 10, where, pageviews);
            var goal = Expectations.GoalUsers(Events, site, from, to, where, "signup");
            var previousGoal = Expectations.GoalUsers(Events, site, previousFrom, sent.From, where, "signup");
            Assert.Equal(expected.Events, root.GetProperty("events").GetInt64());
            Assert.Equal(expected.Pageviews, root.GetProperty("pageviews").GetInt64());
            Assert.Equal(expected.UniqueUsers, root.GetProperty("unique_users").GetInt64());
            Assert.Equal(expected.TopPaths, Pairs(root.GetProperty("top_paths"), "path", "pageviews").Select(p => (p.Key!, p.Count)).ToList());
            Assert.Equal(expected.TopNames, Pairs(root.GetProperty("top_events"), "name", "events").Select(p => (p.Key!, p.Count)).ToList());
            Assert.Equal(goal, root.GetProperty("goal_users").GetInt64());
            var rate = expected.UniqueUsers == 0 ? 0 : (double)goal / expected.UniqueUsers;
            Assert.Equal(rate, root.GetProperty("conversion_rate").GetDouble(), 12);
            var prev = root.GetProperty("previous");
            Assert.Equal(previousFrom, prev.GetProperty("from").GetDateTimeOffset());
            Assert.Equal(previous.Events, prev.GetProperty("events").GetInt64());
            Assert.Equal(previous.Pageviews, prev.GetProperty("pageviews").GetInt64());
            Assert.Equal(previous.UniqueUsers, prev.GetProperty("unique_users").GetInt64());
            Assert.Equal(previousGoal, prev.GetProperty("goal_users").GetInt64());
            var change = root.GetProperty("change");
            AssertChange(expected.Events, previous.Events, change.GetProperty("events"));
            AssertChange(expected.Pageviews, previous.Pageviews, change.GetProperty("pageviews"));
            AssertChange(expected.UniqueUsers, previous.UniqueUsers, change.GetProperty("unique_users"));
            AssertChange(rate, previous.UniqueUsers == 0 ? 0 : (double)previousGoal / previous.UniqueUsers, change.GetProperty("conversion_rate"));
        }
    }

    private static void AssertChange(double current, double previous, JsonElement change)
    {
        Assert.Equal(current - previous, change.GetProperty("absolute").GetDouble(), 9);
        var percent = change.GetProperty("percent");
        if (previous == 0)
        {
            Assert.Equal(JsonValueKind.Null, percent.ValueKind);
        }
        else
        {
            Assert.Equal((current - previous) / previous * 100, percent.GetDouble(), 9);
        }
    }

    public static TheoryData<string, string, string> PropertyBreakdownCases() => new()
    {
        { "full-30-days", "property:country", "" },
        { "unaligned-days", "property:device", "name=pageview" },
        { "full-30-days", "property:utm_campaign", "filter=property:country=DE" },
        { "unaligned-hours", "property:revenue", "" },
        { "full-30-days", "property:revenue", "" },
        { "unaligned-days", "property:utm_campaign", "" },
        { "one-day", "property:country", "name=signup" },
        { "full-30-days", "property:no_such_key", "" },
        { "full-30-days", "user", "" },
        { "unaligned-days", "user", "filter=property:device=tablet" },
        { "one-day", "path", "filter=property:country=FR" },
        { "unaligned-days", "name", "path=/pricing" },
        { "unaligned-days", "referrer", "name=click" },
    };

    [Theory]
    [MemberData(nameof(PropertyBreakdownCases))]
    public async Task Breakdown_by_property_or_user_with_filters_matches_linq(string range, string by, string filter)
    {
        var (from, to) = QueryRanges.All[range];
        foreach (var site in Sites)
        {
            var expected = Expectations.Breakdown(Events, site, from, to, by, ParseFilter(filter), null, 25);
            using var doc = await GetJsonAsync($"/v1/sites/{site}/breakdown?by={by}&limit=25&{QueryRanges.Query(range)}&{filter}");
            Assert.Equal(expected.Select(r => (r.Key, r.Events)).ToList(), Pairs(doc.RootElement.GetProperty("rows"), "key", "events"));
        }
    }

    public static TheoryData<string, string, string, string> MetricBreakdownCases() => new()
    {
        { "full-30-days", "property:country", "sum:revenue", "" },
        { "full-30-days", "property:device", "avg:revenue", "name=purchase" },
        { "unaligned-days", "path", "sum:revenue", "filter=property:country=DE" },
        { "full-30-days", "name", "avg:n", "" },
        { "unaligned-days", "property:utm_campaign", "avg:revenue", "" },
        { "full-30-days", "property:country", "sum:revenue", "name=purchase" },
        { "full-30-days", "property:device", "sum:country", "" },
        { "full-30-days", "property:revenue", "avg:revenue", "" },
        { "one-day", "property:no_such_key", "sum:revenue", "" },
    };

    [Theory]
    [MemberData(nameof(MetricBreakdownCases))]
    public async Task Breakdown_with_a_metric_matches_linq(string range, string by, string metric, string filter)
    {
        var (from, to) = QueryRanges.All[range];
        foreach (var site in Sites)
        {
            var expected = Expectations.Breakdown(Events, site, from, to, by, ParseFilter(filter), metric, 25);
            using var doc = await GetJsonAsync($"/v1/sites/{site}/breakdown?by={by}&metric={metric}&limit=25&{QueryRanges.Query(range)}&{filter}");
            var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(metric, doc.RootElement.GetProperty("metric").GetString());
            Assert.Equal(expected.Select(r => (r.Key, r.Events, r.Skipped)),
                rows.Select(r => (r.GetProperty("key").GetString(), r.GetProperty("events").GetInt64(), (long?)r.GetProperty("skipped").GetInt64())));
            for (var i = 0; i < rows.Count; i++)
            {
                AssertValue(expected[i].Value, rows[i].TryGetProperty("value", out var v) ? v : default);
            }
            Assert.Equal(expected.Sum(r => r.Skipped ?? 0), doc.RootElement.GetProperty("skipped").GetInt64());
        }
        if (metric == "sum:revenue" && by == "property:country")
        {
            var site0 = Expectations.Breakdown(Events, EventDataset.SiteIds[0], from, to, by, ParseFilter(filter), metric, 25);
            Assert.True(site0.Sum(r => r.Skipped ?? 0) > 0 && site0[0].Value > 0, "the dataset has numeric and non-numeric revenue");
        }
    }

    /// <summary>An average over no numbers has no value: the field is absent (default element).</summary>
    private static void AssertValue(decimal? expected, JsonElement actual)
    {
        if (expected is null)
        {
            Assert.Equal(JsonValueKind.Undefined, actual.ValueKind);
            return;
        }
        Assert.Equal((double)expected.Value, actual.GetDouble(), 6);
    }

    public static TheoryData<string, string, string, string> TimeseriesFilterCases() => new()
    {
        { "full-30-days", "day", "sum:revenue", "" },
        { "unaligned-days", "hour", "avg:revenue", "filter=property:country=DE" },
        { "unaligned-hours", "minute", "sum:n", "name=pageview" },
        { "one-day", "hour", "count", "filter=property:device=mobile&path=/" },
    };

    [Theory]
    [MemberData(nameof(TimeseriesFilterCases))]
    public async Task Timeseries_with_filters_and_a_metric_matches_linq(string range, string interval, string metric, string filter)
    {
        var (from, to) = QueryRanges.All[range];
        var where = ParseFilter(filter);
        foreach (var site in Sites)
        {
            var expected = Expectations.Timeseries(Events, site, from, to, interval, where);
            using var doc = await GetJsonAsync($"/v1/sites/{site}/timeseries?interval={interval}&metric={metric}&{QueryRanges.Query(range)}&{filter}");
            Assert.Equal(expected, Points(doc.RootElement));
            if (metric == "count")
            {
                continue;
            }
            var metrics = Expectations.MetricSeries(Events, site, from, to, interval, where, metric);
            var points = doc.RootElement.GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(metrics.Select(m => m.Skipped), points.Select(p => p.GetProperty("skipped").GetInt64()));
            for (var i = 0; i < points.Count; i++)
            {
                AssertValue(metrics[i].Value, points[i].TryGetProperty("value", out var v) ? v : default);
            }
            Assert.Equal(metrics.Sum(m => m.Skipped), doc.RootElement.GetProperty("skipped").GetInt64());
        }
    }

    [Theory]
    [InlineData("full-30-days", "filter=property:country=DE&name=purchase")]
    [InlineData("unaligned-days", "filter=property:utm_campaign=spring&filter=property:device=desktop")]
    public async Task Events_with_property_filters_match_linq(string range, string filter)
    {
        var (from, to) = QueryRanges.All[range];
        var where = ParseFilter(filter);
        foreach (var site in Sites)
        {
            var expected = Expectations.InRange(Events, site, from, to).Where(where.Matches)
                .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.EventId, StringComparer.Ordinal).Take(1000).Select(e => (string?)e.EventId).ToList();
            using var doc = await GetJsonAsync($"/v1/sites/{site}/events?limit=1000&{QueryRanges.Query(range)}&{filter}");
            Assert.Equal(expected, doc.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()).ToList());
        }
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
