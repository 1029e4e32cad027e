using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Eventide.Testing;
using Microsoft.Playwright;

namespace Eventide.Dashboard.Tests;

/// <summary>The dashboard in Debian's chromium against a seeded all-roles pipeline.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardTests(DashboardFixture fixture)
{
    private static readonly string[] Breakdowns = ["path", "referrer", "property:country", "property:device", "name"];

    private static readonly Dictionary<string, string> EmptyLabels = new(StringComparer.Ordinal)
    {
        ["path"] = "(no path)",
        ["referrer"] = "(direct)",
        ["property:country"] = "(unknown)",
        ["property:device"] = "(unknown)",
        ["name"] = "(none)",
    };

    [Fact]
    public async Task Tiles_chart_and_tables_show_exactly_what_the_api_answers()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        await AssertMatchesApiAsync(dashboard, "demo", fixture.Demo.ReadKey);
        Assert.Empty(dashboard.Errors);
        await dashboard.ScreenshotAsync("dashboard-desktop.png");
    }

    [Fact]
    public async Task The_key_is_sent_only_in_the_authorization_header_and_kept_in_session_storage()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        var api = dashboard.Requests.Where(r => new Uri(r.Url).AbsolutePath.StartsWith("/v1/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(api);
        Assert.All(api, r => Assert.DoesNotContain(fixture.Demo.ReadKey, r.Url, StringComparison.Ordinal));
        foreach (var r in api.Where(r => r.ResourceType is "fetch" or "xhr"))
        {
            Assert.Equal("Bearer " + fixture.Demo.ReadKey, await r.HeaderValueAsync("authorization"));
        }
        Assert.Equal(fixture.Demo.ReadKey, await dashboard.Page.EvaluateAsync<string>("() => sessionStorage.getItem('eventide.dashboard.key')"));
        Assert.Null(await dashboard.Page.EvaluateAsync<string?>("() => localStorage.getItem('eventide.dashboard.key')"));
        Assert.DoesNotContain(fixture.Demo.ReadKey, dashboard.Page.Url, StringComparison.Ordinal);

        // A reload keeps the session; "Forget key" drops it.
        await dashboard.Page.ReloadAsync();
        await dashboard.WaitReadyAsync();
        await dashboard.Page.GetByRole(AriaRole.Button, new() { Name = "Forget key" }).ClickAsync();
        await Assertions.Expect(dashboard.Page.GetByLabel("Read key or admin token")).ToBeVisibleAsync();
        Assert.Null(await dashboard.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('eventide.dashboard.key')"));
        Assert.Empty(dashboard.Errors);
    }

    [Fact]
    public async Task An_unknown_key_is_refused_with_a_message()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.Page.GetByLabel("Read key or admin token").FillAsync("evr_not_a_key");
        await dashboard.Page.GetByRole(AriaRole.Button, new() { Name = "Open dashboard" }).ClickAsync();
        await Assertions.Expect(dashboard.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Nobody knows that key");
        Assert.True(await dashboard.Page.Locator("#dashboard").IsHiddenAsync());
    }

    [Theory]
    [InlineData("1h", 1)]
    [InlineData("7d", 24 * 7)]
    [InlineData("30d", 24 * 30)]
    public async Task Changing_the_range_asks_for_that_range_and_shows_its_answers(string range, int hours)
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        await dashboard.Page.RunAndWaitForResponseAsync(
            () => dashboard.Page.GetByLabel("Range").SelectOptionAsync(range),
            r => new Uri(r.Url).AbsolutePath == "/v1/sites/demo/summary");
        await dashboard.WaitReadyAsync();
        var (from, to) = RangeOf(dashboard.LastRequest("demo", "summary"));
        Assert.Equal(TimeSpan.FromHours(hours), to - from);
        Assert.InRange(DateTimeOffset.UtcNow - to, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        await AssertMatchesApiAsync(dashboard, "demo", fixture.Demo.ReadKey);
        Assert.Empty(dashboard.Errors);
    }

    [Fact]
    public async Task A_custom_range_is_asked_for_as_entered()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        await dashboard.Page.GetByLabel("Range").SelectOptionAsync("custom");
        var from = DateTime.UtcNow.Date.AddDays(-3);
        var to = from.AddDays(2).AddHours(6);
        await dashboard.Page.GetByLabel("From").FillAsync(from.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await dashboard.Page.GetByLabel("To", new() { Exact = true }).FillAsync(to.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await dashboard.Page.RunAndWaitForResponseAsync(
            () => dashboard.Page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync(),
            r => new Uri(r.Url).AbsolutePath == "/v1/sites/demo/summary");
        await dashboard.WaitReadyAsync();
        // The context's time zone is UTC, so the inputs are UTC times.
        var (askedFrom, askedTo) = RangeOf(dashboard.LastRequest("demo", "summary"));
        Assert.Equal(new DateTimeOffset(from, TimeSpan.Zero), askedFrom);
        Assert.Equal(new DateTimeOffset(to, TimeSpan.Zero), askedTo);
        Assert.Contains("interval=hour", dashboard.LastRequest("demo", "timeseries").Query, StringComparison.Ordinal);
        await AssertMatchesApiAsync(dashboard, "demo", fixture.Demo.ReadKey);
        Assert.Empty(dashboard.Errors);
    }

    [Fact]
    public async Task A_funnel_built_on_the_page_shows_the_api_funnel()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        await dashboard.Page.GetByLabel("Range").SelectOptionAsync("7d");
        await dashboard.WaitReadyAsync();
        var page = dashboard.Page;
        await page.GetByLabel("Step 1 event").FillAsync("pageview");
        await page.GetByLabel("Step 1 path (optional)").FillAsync("/pricing");
        await page.GetByLabel("Step 2 event").FillAsync("signup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add step" }).ClickAsync();
        await page.GetByLabel("Step 3 event").FillAsync("purchase");
        await page.GetByLabel("Within").SelectOptionAsync("P1D");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Run funnel" }).ClickAsync(),
            r => new Uri(r.Url).AbsolutePath == "/v1/sites/demo/funnel");
        var sent = JsonDocument.Parse(response.Request.PostData!).RootElement;
        Assert.Equal("""[{"name":"pageview","path":"/pricing"},{"name":"signup"},{"name":"purchase"}]""", sent.GetProperty("steps").GetRawText());
        Assert.Equal("P1D", sent.GetProperty("window").GetString());

        using var api = fixture.Client(fixture.Demo.ReadKey);
        using var expected = await api.PostAsync(new Uri("/v1/sites/demo/funnel", UriKind.Relative), new StringContent(response.Request.PostData!, Encoding.UTF8, "application/json"));
        var steps = (await expected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("steps").EnumerateArray().ToList();
        Assert.True(steps[0].GetProperty("users").GetInt64() > 0, "the seeded data has pricing visitors");
        var rows = page.Locator("#funnel-result tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        for (var i = 0; i < 3; i++)
        {
            var cells = await rows.Nth(i).Locator("td").AllTextContentsAsync();
            Assert.Equal(DashboardPage.Number(steps[i].GetProperty("users").GetInt64()), cells[0]);
            Assert.Equal((steps[i].GetProperty("conversion").GetDouble() * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", cells[1]);
        }
        Assert.Empty(dashboard.Errors);
    }

    [Fact]
    public async Task The_live_counter_and_feed_move_after_a_post_over_websocket()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        await Assertions.Expect(dashboard.Page.Locator("#live-status")).ToHaveAttributeAsync("data-transport", "websocket");
        await PostAndSeeItLiveAsync(dashboard);
        Assert.Empty(dashboard.Errors);
    }

    [Fact]
    public async Task Without_websockets_the_live_counter_falls_back_to_server_sent_events()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        // A proxy that refuses WebSockets: every socket closes before its first message.
        await dashboard.Page.RouteWebSocketAsync("**/live**", ws => ws.CloseAsync());
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        await Assertions.Expect(dashboard.Page.Locator("#live-status")).ToHaveAttributeAsync("data-transport", "sse");
        await PostAndSeeItLiveAsync(dashboard);
        Assert.Empty(dashboard.Errors);
    }

    [Fact]
    public async Task The_admin_token_gets_a_site_picker()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.SignInAsync(DashboardFixture.AdminToken);
        var picker = dashboard.Page.GetByLabel("Site");
        await Assertions.Expect(picker).ToBeVisibleAsync();
        Assert.Equal(["demo", "shop"], await picker.Locator("option").AllTextContentsAsync());
        await dashboard.Page.RunAndWaitForResponseAsync(() => picker.SelectOptionAsync("shop"),
            r => new Uri(r.Url).AbsolutePath == "/v1/sites/shop/summary");
        await dashboard.WaitReadyAsync();
        await Assertions.Expect(dashboard.Page.Locator("#site-title")).ToHaveTextAsync("shop");
        await AssertMatchesApiAsync(dashboard, "shop", DashboardFixture.AdminToken);
        Assert.Empty(dashboard.Errors);
    }

    [Fact]
    public async Task A_read_key_gets_no_site_picker()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        await dashboard.SignInAsync(fixture.Shop.ReadKey);
        Assert.True(await dashboard.Page.Locator("#site-field").IsHiddenAsync());
        await Assertions.Expect(dashboard.Page.Locator("#site-title")).ToHaveTextAsync("shop");
    }

    [Fact]
    public async Task Everything_is_reachable_and_usable_with_the_keyboard()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture);
        var page = dashboard.Page;
        // The key field has the focus on arrival: type and press Enter.
        await Assertions.Expect(page.GetByLabel("Read key or admin token")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(fixture.Demo.ReadKey);
        await page.Keyboard.PressAsync("Enter");
        await dashboard.WaitReadyAsync();

        // Tab from the skip link (the first stop) through the header's controls, in order.
        await page.Locator("a.skip").FocusAsync();
        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            order.Add(await page.EvaluateAsync<string>("() => document.activeElement.id"));
        }
        Assert.Equal(["range", "refresh", "sign-out", "theme"], order);
        Assert.Equal("Skip to the dashboard", await page.EvaluateAsync<string>("() => document.querySelector('a, button, input, select, summary').textContent"));

        // The range select works with arrow keys.
        await page.GetByLabel("Range").FocusAsync();
        await page.RunAndWaitForResponseAsync(() => page.Keyboard.PressAsync("ArrowDown"),
            r => new Uri(r.Url).AbsolutePath == "/v1/sites/demo/summary");
        await dashboard.WaitReadyAsync();
        Assert.Equal("7d", await page.GetByLabel("Range").InputValueAsync());

        // The theme toggle is a button: Space switches it, and says so.
        var theme = page.Locator("#theme");
        await theme.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(theme).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal("dark", await page.EvaluateAsync<string>("() => document.documentElement.dataset.theme"));

        // The funnel: add a step and run it without the mouse.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add step" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Step 3 event")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("purchase");
        await page.RunAndWaitForResponseAsync(() => page.Keyboard.PressAsync("Enter"),
            r => new Uri(r.Url).AbsolutePath == "/v1/sites/demo/funnel");
        await Assertions.Expect(page.Locator("#funnel-result tbody tr")).ToHaveCountAsync(3);

        // The skip link moves the focus to the content.
        await page.Locator("a.skip").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#main")).ToBeFocusedAsync();
        Assert.Empty(dashboard.Errors);
    }

    [Theory]
    [InlineData(ColorScheme.Light, "light")]
    [InlineData(ColorScheme.Dark, "dark")]
    public async Task Axe_finds_no_accessibility_violation(ColorScheme scheme, string name)
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture, scheme: scheme);
        var signedOut = await dashboard.Page.RunAxe(AxeOptions());
        Assert.True(signedOut.Violations.Length == 0, Describe(signedOut));
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        await dashboard.Page.Locator("details summary").ClickAsync();
        var result = await dashboard.Page.RunAxe(AxeOptions());
        Assert.True(result.Violations.Length == 0, Describe(result));
        await dashboard.ScreenshotAsync($"dashboard-{name}.png");
    }

    [Fact]
    public async Task At_phone_width_nothing_overflows_sideways()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture, DashboardPage.PhoneWidth, 844);
        await dashboard.SignInAsync(fixture.Demo.ReadKey);
        var overflow = await dashboard.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the phone");
        foreach (var control in new[] { "Run funnel", "Add step", "Dark theme", "Forget key" })
        {
            var box = await dashboard.Page.GetByRole(AriaRole.Button, new() { Name = control }).BoundingBoxAsync();
            Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= DashboardPage.PhoneWidth, $"'{control}' lies outside the phone's width: {box?.X}+{box?.Width}");
        }
        Assert.Empty(dashboard.Errors);
        await dashboard.ScreenshotAsync("dashboard-phone.png");
    }

    private async Task PostAndSeeItLiveAsync(DashboardPage dashboard)
    {
        var counter = dashboard.Page.Locator("#live-count");
        // Wait until the stream delivers (the counter's first seconds), then note where it stands.
        await Assertions.Expect(dashboard.Page.Locator("#live-status")).ToContainTextAsync("live over");
        var before = long.Parse((await counter.TextContentAsync())!.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        var e = SeedEvents.Event("demo", "purchase", DateTimeOffset.UtcNow, "/checkout", null, "live-user", "DE", "mobile");
        await fixture.PostAsync(fixture.Demo.WriteKey, [e]);
        await Eventually.WaitAsync(async () => long.Parse((await counter.TextContentAsync())!.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture),
            n => n > before, TimeSpan.FromSeconds(20), "the live counter to count the posted event");
        var item = dashboard.Page.Locator($"#feed li[data-event-id='{e["event_id"]}']");
        await Assertions.Expect(item).ToContainTextAsync("purchase", new() { Timeout = 20_000 });
        await Assertions.Expect(item).ToContainTextAsync("/checkout");
        await Assertions.Expect(item).ToContainTextAsync("user live-user");
    }

    /// <summary>Fetches each answer the page showed, with its exact URL and key, and compares.</summary>
    private async Task AssertMatchesApiAsync(DashboardPage dashboard, string site, string key)
    {
        using var api = fixture.Client(key);
        var page = dashboard.Page;
        var summary = await api.GetFromJsonAsync<JsonElement>(dashboard.LastRequest(site, "summary"));
        foreach (var figure in new[] { "events", "pageviews", "unique_users" })
        {
            var tile = page.Locator($".tile[data-figure='{figure}']");
            Assert.Equal(DashboardPage.Number(summary.GetProperty(figure).GetInt64()), await tile.Locator("[data-role='value']").TextContentAsync());
            var change = summary.GetProperty("change").GetProperty(figure);
            var absolute = change.GetProperty("absolute").GetInt64();
            var percent = change.GetProperty("percent");
            // One decimal as the browser rounds it: .NET's "F1" rounds an exact tie (-6.25) to even, toFixed away from zero.
            var shownPercent = percent.ValueKind == JsonValueKind.Null
                ? null
                : await page.EvaluateAsync<string>("p => p.toFixed(1)", percent.GetDouble());
            var expected = $"{(absolute > 0 ? "+" : "")}{DashboardPage.Number(absolute)} ("
                + (shownPercent is null ? "no previous data" : $"{(percent.GetDouble() > 0 ? "+" : "")}{shownPercent}%")
                + ") vs previous period";
            Assert.Equal(expected, await tile.Locator("[data-role='change']").TextContentAsync());
        }

        var series = await api.GetFromJsonAsync<JsonElement>(dashboard.LastRequest(site, "timeseries"));
        var points = series.GetProperty("points").EnumerateArray().ToList();
        var rows = page.Locator("#series-table tbody tr");
        Assert.Equal(points.Count, await rows.CountAsync());
        var shown = await rows.EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.querySelectorAll('td')].map(c => c.textContent))");
        Assert.Equal(points.Select(p => new[] { DashboardPage.Number(p.GetProperty("events").GetInt64()), DashboardPage.Number(p.GetProperty("unique_users").GetInt64()) }), shown);
        Assert.Equal(points.Sum(p => p.GetProperty("events").GetInt64()), summary.GetProperty("events").GetInt64());

        foreach (var by in Breakdowns)
        {
            var answer = await api.GetFromJsonAsync<JsonElement>(dashboard.LastRequest(site, "breakdown", by));
            var expected = answer.GetProperty("rows").EnumerateArray()
                .Select(r => new[] { r.GetProperty("key").GetString() ?? EmptyLabels[by], DashboardPage.Number(r.GetProperty("events").GetInt64()) })
                .ToList();
            var table = page.Locator($"table.top[data-by='{by}'] tbody tr");
            var actual = await table.EvaluateAllAsync<string[][]>("rows => rows.map(r => [r.querySelector('th').textContent, r.querySelector('td').textContent])");
            Assert.True(expected.Count > 0, $"the seeded data has rows for {by}");
            Assert.Equal(expected, actual);
        }
    }

    private static (DateTimeOffset From, DateTimeOffset To) RangeOf(Uri request)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.Query);
        return (DateTimeOffset.Parse(query["from"]!, CultureInfo.InvariantCulture), DateTimeOffset.Parse(query["to"]!, CultureInfo.InvariantCulture));
    }

    private static AxeRunOptions AxeOptions() => new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    private static string Describe(AxeResult result) =>
        string.Join("\n", result.Violations.Select(v => $"{v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}"));
}
