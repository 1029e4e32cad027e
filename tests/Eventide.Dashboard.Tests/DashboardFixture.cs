using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Eventide.Server;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;

namespace Eventide.Dashboard.Tests;

/// <summary>
/// One all-roles Eventide (ingestion, processor, query) on a real PostgreSQL, seeded through
/// the ingestion API with a week of events for the site "demo" (and a few for "shop"), and
/// Debian's chromium driven by Playwright.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string AdminToken = "dashboard-tests-admin-token";

    private readonly MigratedPostgresFixture _db = new();
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public SiteKeys Demo { get; private set; } = null!;

    public SiteKeys Shop { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public int Seeded { get; private set; }

    public string ConnectionString => _db.ConnectionString;

    /// <summary>Where screenshots go: a folder under the test output, kept after the run.</summary>
    public static string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts");

    /// <summary>Debian's chromium; scripts/test.d/06-chromium-install.sh installs it and exports this.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("EVENTIDE_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"chromium not found at {ChromiumPath}: run `apt-get install -y chromium` (scripts/test.d/06-chromium-install.sh does) or set EVENTIDE_TEST_CHROMIUM");
        }
        await _db.InitializeAsync();
        var sites = new SiteStore(_db.DataSource);
        Demo = await sites.CreateAsync("demo", CancellationToken.None);
        Shop = await sites.CreateAsync("shop", CancellationToken.None);
        var quiet = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" }).Build();
        var options = _db.Options(o =>
        {
            o.Ingestion.InboxRotationSeconds = 0;
            o.Admin.Token = AdminToken;
            // The longest the ingestion allows: the machine running the tests may be busy.
            o.Ingestion.CommitTimeoutMs = 750;
        });
        _app = EventideHost.Build(options, Role.All, "http://127.0.0.1:0", quiet);
        await _app.StartAsync();
        Address = LoopbackKestrel.AddressOf(_app);

        var now = DateTimeOffset.UtcNow;
        var demo = SeedEvents.Generate("demo", now, 600, seed: 22);
        var shop = SeedEvents.Generate("shop", now, 40, seed: 7);
        await PostAsync(Demo.WriteKey, demo);
        await PostAsync(Shop.WriteKey, shop);
        Seeded = demo.Count;
        using var admin = Client(AdminToken);
        var from = (now - TimeSpan.FromDays(30)).ToString("O", CultureInfo.InvariantCulture);
        var to = (now + TimeSpan.FromMinutes(1)).ToString("O", CultureInfo.InvariantCulture);
        await Eventually.WaitAsync(async () =>
            {
                var a = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/v1/sites/demo/summary?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}", UriKind.Relative));
                var b = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/v1/sites/shop/summary?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}", UriKind.Relative));
                return (Demo: a.GetProperty("events").GetInt64(), Shop: b.GetProperty("events").GetInt64());
            },
            stored => stored.Demo == demo.Count && stored.Shop == shop.Count, TimeSpan.FromSeconds(120), $"the seeded events ({demo.Count} demo, {shop.Count} shop) to be stored");

        Directory.CreateDirectory(Artifacts);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // As root chromium refuses its sandbox; the tests load only this page.
            Args = ["--no-sandbox"],
        });
    }

    public HttpClient Client(string? bearer)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return http;
    }

    /// <summary>
    /// Posts events through the ingestion API and checks every one was accepted. A 503 (the
    /// group commit did not finish in time on a busy machine: nothing stored) is retried with
    /// the same event ids, which the pipeline stores once however often they are sent.
    /// </summary>
    public async Task PostAsync(string writeKey, IReadOnlyList<JsonObject> events)
    {
        using var http = Client(writeKey);
        foreach (var chunk in events.Chunk(200))
        {
            var body = new JsonArray([.. chunk.Select(e => e.DeepClone())]).ToJsonString();
            var answer = await Eventually.WaitAsync(async () =>
                {
                    using var response = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                    return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
                },
                r => r.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60), "ingestion to accept the seed events");
            using var doc = JsonDocument.Parse(answer.Body);
            if ((int)answer.StatusCode is < 200 or > 299 || doc.RootElement.GetProperty("accepted").GetInt32() != chunk.Length)
            {
                throw new InvalidOperationException($"seeding failed: {(int)answer.StatusCode} {answer.Body}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await _db.DisposeAsync();
    }
}
