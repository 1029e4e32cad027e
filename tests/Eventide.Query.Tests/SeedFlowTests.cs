using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Eventide.Server;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Eventide.Query.Tests;

/// <summary>
/// The documented flows of the systems Eventide replaces, posted as their users would (only the
/// auth header added) to one all-roles process, and read back as those systems document.
/// </summary>
public sealed class SeedFlowTests : IAsyncLifetime
{
    private readonly MigratedPostgresFixture _db = new();
    private WebApplication? _app;
    private SiteKeys _demo = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _demo = await new SiteStore(_db.DataSource).CreateAsync("demo", CancellationToken.None);
        var quiet = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" }).Build();
        var options = _db.Options(o => o.Ingestion.InboxRotationSeconds = 0);
        _app = EventideHost.Build(options, Role.All, "http://127.0.0.1:0", quiet);
        await _app.StartAsync();
        _address = LoopbackKestrel.AddressOf(_app);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Reporting_seed_view_event_is_counted_by_stats()
    {
        var now = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await PostAsync("/event", $$"""{"site_id":"demo","event_type":"view","path":"/","user_id":"u1","timestamp":"{{now}}"}""");
        using var read = Client(_demo.ReadKey);
        var stats = await Eventually.WaitAsync(
            () => read.GetStringAsync(new Uri("/stats?site_id=demo", UriKind.Relative)),
            body => body.Contains("\"total_views\":1", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the view to reach /stats");
        using var doc = JsonDocument.Parse(stats);
        Assert.Equal(1, doc.RootElement.GetProperty("total_views").GetInt64());
        Assert.Equal(1, doc.RootElement.GetProperty("unique_users").GetInt64());
        var path = Assert.Single(doc.RootElement.GetProperty("top_paths").EnumerateArray());
        Assert.Equal("""{"path":"/","views":1}""", path.GetRawText());
    }

    [Fact]
    public async Task Queue_seed_event_without_site_id_is_stored_for_the_key_site()
    {
        var answer = await PostAsync("/events", """{"type":"LOGIN","payload":{"user":"khushi"}}""");
        var id = answer.RootElement.GetProperty("ids")[0].GetString();
        var e = await StoredAsync(id!);
        Assert.Equal("LOGIN", e.GetProperty("name").GetString());
        Assert.Equal("khushi", e.GetProperty("properties").GetProperty("user").GetString());
    }

    [Fact]
    public async Task Marketing_seed_event_keeps_its_fields_and_feeds_breakdowns_and_revenue()
    {
        var now = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await PostAsync("/webhook/event", $$$"""
            {"eventId":"mkt-1","eventType":"purchase","source":"newsletter","funnelStage":"conversion","timestamp":"{{{now}}}",
             "data":{"country":"DE","utm_campaign":"spring","revenue":49.5}}
            """);
        var e = await StoredAsync("mkt-1");
        Assert.Equal("purchase", e.GetProperty("name").GetString());
        Assert.Equal("newsletter", e.GetProperty("properties").GetProperty("source").GetString());
        Assert.Equal("conversion", e.GetProperty("properties").GetProperty("funnelStage").GetString());
        using var read = Client(_demo.ReadKey);
        using var breakdown = JsonDocument.Parse(await read.GetStringAsync(new Uri("/v1/sites/demo/breakdown?by=property:country&metric=sum:revenue", UriKind.Relative)));
        var row = Assert.Single(breakdown.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal("DE", row.GetProperty("key").GetString());
        Assert.Equal(49.5m, row.GetProperty("value").GetDecimal());
    }

    private async Task<JsonElement> StoredAsync(string id)
    {
        using var read = Client(_demo.ReadKey);
        var body = await Eventually.WaitAsync(
            () => read.GetStringAsync(new Uri("/v1/sites/demo/events", UriKind.Relative)),
            b => b.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(30), $"event {id} to be stored");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("events").EnumerateArray().Single(x => x.GetProperty("event_id").GetString() == id).Clone();
    }

    /// <summary>Posts as a client would, retrying a 503 (nothing stored) as its Retry-After asks, a few times.</summary>
    private async Task<JsonDocument> PostAsync(string route, string json)
    {
        using var http = Client(_demo.WriteKey);
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.PostAsync(new Uri(route, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 5)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{route} → {(int)response.StatusCode}: {body}");
            return JsonDocument.Parse(body);
        }
    }

    private HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = _address, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
