using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Eventide.Query.Dashboard;
using Eventide.Server;
using Eventide.Testing;
using Microsoft.Extensions.Configuration;

namespace Eventide.Dashboard.Tests;

/// <summary>What the query role answers for the dashboard, over plain HTTP and WebSocket.</summary>
[Collection(DashboardCollection.Name)]
public sealed partial class DashboardHttpTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Root_redirects_to_the_dashboard()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Address };
        using var root = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/dashboard", root.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_page_is_never_cached_stale_and_runs_under_a_strict_policy()
    {
        using var http = fixture.Client(null);
        using var page = await http.GetAsync(new Uri("/dashboard", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(DashboardApp.ContentSecurityPolicy, csp);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        // Nothing inline and nothing from elsewhere: every script and style sheet is a file of ours.
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
        Assert.DoesNotContain("<style", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        // The ETag answers a revalidation with 304.
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/dashboard", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(page.Headers.ETag!);
        using var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var assets = AssetLink().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            using var file = await http.GetAsync(new Uri(asset, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal(DashboardApp.ImmutableCache, file.Headers.CacheControl?.ToString());
            Assert.StartsWith(asset.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/css", file.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        }
        using var missing = await http.GetAsync(new Uri("/dashboard/assets/index-0000.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Sites_lists_every_site_for_the_admin_and_only_its_own_for_a_read_key()
    {
        using var admin = fixture.Client(DashboardFixture.AdminToken);
        Assert.Equal("""{"admin":true,"sites":["demo","shop"]}""", await admin.GetStringAsync(new Uri("/v1/sites", UriKind.Relative)));
        using var read = fixture.Client(fixture.Shop.ReadKey);
        Assert.Equal("""{"admin":false,"sites":["shop"]}""", await read.GetStringAsync(new Uri("/v1/sites", UriKind.Relative)));
        using var write = fixture.Client(fixture.Shop.WriteKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await write.GetAsync(new Uri("/v1/sites", UriKind.Relative))).StatusCode);
        using var none = fixture.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync(new Uri("/v1/sites", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_websocket_authenticates_with_the_bearer_subprotocol_and_gets_eventide_v1_back()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(WebSocketBearerMiddleware.Protocol);
        socket.Options.AddSubProtocol(WebSocketBearerMiddleware.BearerPrefix + Base64Url(fixture.Demo.ReadKey));
        await socket.ConnectAsync(new Uri($"ws://{fixture.Address.Authority}/v1/sites/demo/live?seconds=1"), CancellationToken.None);
        Assert.Equal(WebSocketBearerMiddleware.Protocol, socket.SubProtocol);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        using var message = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, received.Count));
        Assert.True(message.RootElement.TryGetProperty("events", out _));
    }

    [Fact]
    public async Task A_websocket_with_another_sites_key_is_refused()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.AddSubProtocol(WebSocketBearerMiddleware.Protocol);
        socket.Options.AddSubProtocol(WebSocketBearerMiddleware.BearerPrefix + Base64Url(fixture.Shop.ReadKey));
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://{fixture.Address.Authority}/v1/sites/demo/live"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task The_query_role_alone_serves_the_dashboard_too()
    {
        var quiet = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" }).Build();
        var options = new Core.EventideOptions();
        options.Database.ConnectionString = fixture.ConnectionString;
        await using var app = EventideHost.Build(options, Role.Query, "http://127.0.0.1:0", quiet);
        await app.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = LoopbackKestrel.AddressOf(app) };
        using var root = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        using var page = await http.GetAsync(root.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>Eventide dashboard</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task The_openapi_document_describes_the_sites_listing_but_not_the_page()
    {
        using var http = fixture.Client(null);
        var document = await http.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/sites", out var sites));
        Assert.Equal("ListReadableSites", sites.GetProperty("get").GetProperty("operationId").GetString());
        Assert.False(paths.TryGetProperty("/dashboard", out _));
        Assert.False(paths.TryGetProperty("/", out _));
    }

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    [GeneratedRegex("(?:src|href)=\"(/dashboard/assets/[^\"]+)\"")]
    private static partial Regex AssetLink();
}
