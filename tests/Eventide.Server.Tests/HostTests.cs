using System.Net;
using System.Text.Json;
using Eventide.Testing;

namespace Eventide.Server.Tests;

public class HostTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task Run_all_roles_serves_healthz_and_readyz_with_the_storage_mode()
    {
        await using var app = EventideHost.Build(db.Options(), Role.All, "http://127.0.0.1:0");
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = LoopbackKestrel.AddressOf(app) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
            // The all role is ready once its processor member is Up and its shard region registered,
            // which follows the start by a moment: wait for that, then read the storage mode.
            var ready = await Eventually.WaitAsync(
                () => http.GetAsync(new Uri("/readyz", UriKind.Relative)),
                r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "/readyz to answer 200");
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Contains("mode=plain", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Readyz_is_503_when_the_schema_is_missing()
    {
        var empty = new PostgresFixture();
        await empty.InitializeAsync();
        try
        {
            await using var app = EventideHost.Build(empty.Options(), Role.Query, "http://127.0.0.1:0");
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = LoopbackKestrel.AddressOf(app) };
            var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("not migrated", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await app.StopAsync();
        }
        finally
        {
            await empty.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(Role.Ingestion)]
    [InlineData(Role.Processor)]
    [InlineData(Role.Query)]
    [InlineData(Role.All)]
    public async Task Unknown_path_and_wrong_method_answer_problem_json(Role role)
    {
        await using var app = EventideHost.Build(db.Options(), role, "http://127.0.0.1:0");
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = LoopbackKestrel.AddressOf(app) };
            using var notFound = await http.GetAsync(new Uri("/no/such/path", UriKind.Relative));
            using var wrongMethod = await http.DeleteAsync(new Uri("/healthz", UriKind.Relative));

            await AssertProblemAsync(notFound, HttpStatusCode.NotFound);
            await AssertProblemAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
            Assert.Contains("GET", wrongMethod.Content.Headers.Allow);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Docs_serves_the_page_itself_with_links_that_resolve()
    {
        await using var app = EventideHost.Build(db.Options(), Role.Query, "http://127.0.0.1:0");
        await app.StartAsync();
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = LoopbackKestrel.AddressOf(app) };
            using var docs = await http.GetAsync(new Uri("/docs", UriKind.Relative));
            var html = await docs.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
            Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<title>Eventide API</title>", html, StringComparison.Ordinal);
            Assert.True(html.IndexOf("<base href=\"/docs/\">", StringComparison.Ordinal) < html.IndexOf("<link", StringComparison.Ordinal));
            // Each file the page links relatively, resolved against its base, is served.
            var links = System.Text.RegularExpressions.Regex.Matches(html, "(?:href|src)=\"(\\./)?([a-z0-9.-]+\\.(?:css|js|png))\"")
                .Select(m => m.Groups[2].Value).ToList();
            Assert.Contains("index.js", links);
            foreach (var link in links)
            {
                using var file = await http.GetAsync(new Uri("/docs/" + link, UriKind.Relative));
                Assert.True(file.StatusCode == HttpStatusCode.OK, $"/docs/{link}: {file.StatusCode}");
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, body.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("title").GetString()));
    }
}
