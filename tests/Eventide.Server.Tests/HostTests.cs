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
            using var http = new HttpClient { BaseAddress = EventideHost.BoundAddress(app) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
            var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
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
            using var http = new HttpClient { BaseAddress = EventideHost.BoundAddress(app) };
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
}
