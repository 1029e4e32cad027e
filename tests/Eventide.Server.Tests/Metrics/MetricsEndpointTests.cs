using System.Net;
using Eventide.Testing;

namespace Eventide.Server.Tests.Metrics;

public class MetricsEndpointTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    public static TheoryData<string> Roles => ["ingestion", "processor", "query", "all"];

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Metrics_of_each_role_pass_promtool_check_metrics(string role)
    {
        await using var host = await RoleHost.StartAsync(db.Options(), ParseRole(role));
        await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
        await host.Http.GetAsync(new Uri("/no/such/path", UriKind.Relative));

        var text = await host.ScrapeTextAsync();
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(exitCode == 0, $"promtool check metrics failed for role {role} (exit {exitCode}):\n{output}\n--- exposition\n{text}");
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Healthz_and_readyz_answer_on_each_role(string role)
    {
        await using var host = await RoleHost.StartAsync(db.Options(), ParseRole(role));

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        var ready = await Eventually.WaitAsync(
            () => host.Http.GetAsync(new Uri("/readyz", UriKind.Relative)), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), $"/readyz of role {role} to answer 200");
        Assert.Contains("\"database\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_requests_are_counted_by_route_template_method_and_status_only_for_this_host()
    {
        await using var host = await RoleHost.StartAsync(db.Options(), Role.Query);
        for (var i = 0; i < 3; i++)
        {
            await host.Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        }
        await host.Http.GetAsync(new Uri("/nothing/here/" + Guid.NewGuid(), UriKind.Relative));

        var scrape = await host.ScrapeAsync();

        const string Requests = "http_server_request_duration_seconds_count";
        Assert.Equal(3, scrape.Value(Requests, ("http_route", "/healthz"), ("http_request_method", "GET"), ("http_response_status_code", "200")));
        // An unmatched request has no route label, so raw paths never become series.
        Assert.Equal(1, Assert.Single(scrape.Named(Requests), s => !s.Labels.ContainsKey("http_route") && s.Labels["http_response_status_code"] == "404").Value);
        Assert.DoesNotContain(scrape.Samples, s => s.Labels.Values.Any(v => v.StartsWith("/nothing", StringComparison.Ordinal)));
    }

    internal static Role ParseRole(string role) =>
        RoleParser.TryParse(role, out var roles) is null ? roles : throw new ArgumentException(role);
}
