using System.Net;
using Eventide.Core;
using Eventide.Storage.Inbox;
using Eventide.Testing;

namespace Eventide.Server.Tests.Metrics;

/// <summary>
/// Each role as its own `eventide` process under bounded load, scraped by a
/// real Prometheus: every dashboard expression (variables substituted) and
/// every alert expression must be accepted, and every dashboard expression
/// must return data.
/// </summary>
public class LiveDashboardTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_dashboard_and_alert_expression_is_valid_and_every_panel_returns_data_from_the_roles()
    {
        await using var ingestion = await EventideProcess.StartAsync(db.ConnectionString, "ingestion");
        await using var processor = await EventideProcess.StartAsync(db.ConnectionString, "processor");
        await using var query = await EventideProcess.StartAsync(db.ConnectionString, "query");
        var roles = new Dictionary<string, EventideProcess> { ["ingestion"] = ingestion, ["processor"] = processor, ["query"] = query };
        await using var prometheus = await PrometheusServer.StartAsync(roles.Select(r => ScrapeTarget.Role(r.Key, r.Value.Address)));
        using var ingest = new HttpClient { BaseAddress = ingestion.Address };
        using var read = new HttpClient { BaseAddress = query.Address };

        var up = await Eventually.WaitAsync(() => prometheus.QueryAsync("up"),
            r => r.Count == 3 && r.All(s => s.Value == 1), Deadline, "up == 1 for the three roles");
        Assert.Equal(["ingestion", "processor", "query"], up.Select(s => s.Labels["role"]).Order(StringComparer.Ordinal));

        var keys = await RoleTraffic.CreateSiteAsync(db, "live-" + Guid.NewGuid().ToString("N")[..8]);
        var site = keys.Site;
        for (var i = 0; i < 10; i++)
        {
            await RoleTraffic.PostEventsAsync(ingest, keys, 20);
        }
        // The same five event ids twice: accepted both times, stored once.
        var repeated = RoleTraffic.Events(site, 5, i => $"repeat-{i}");
        Assert.Equal(HttpStatusCode.Accepted, (await RoleTraffic.PostAsync(ingest, keys.WriteKey, repeated)).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await RoleTraffic.PostAsync(ingest, keys.WriteKey, repeated)).Status);
        // One valid and one invalid event: 202 with one rejection.
        Assert.Equal(HttpStatusCode.Accepted, (await RoleTraffic.PostAsync(ingest, keys.WriteKey,
            $$"""[{"site_id":"{{site}}","name":"signup"},{"site_id":"{{site}}"}]""")).Status);
        // PostgreSQL's jsonb cannot hold \u0000, which ingestion refuses: written to the inbox as a
        // buggy producer would, the event is dead-lettered by the processor.
        var now = DateTimeOffset.UtcNow;
        await new InboxWriter(db.DataSource, db.Options().Shards).WriteAsync(
            [new EventRecord(site, "poison", now, "poison-1", "/p", null, "u", null, """{"x":"\u0000"}""", now)], null, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RoleTraffic.PostAsync(ingest, null, "{}")).Status);
        const int Accepted = (10 * 20) + 5 + 5 + 1;
        const int Stored = (10 * 20) + 5 + 1;

        await Eventually.WaitAsync(() => RoleTraffic.StoredAsync(db, site), n => n == Stored, Deadline, $"the processor to store {Stored} events");
        foreach (var path in new[] { "summary", "timeseries?interval=hour", "breakdown?by=path", "live?seconds=1" })
        {
            await RoleTraffic.QueryAsync(read, keys, $"/v1/sites/{site}/{path}");
        }

        await AssertSumAsync(prometheus, "eventide_ingestion_events_total{role=\"ingestion\",outcome=\"accepted\"}", Accepted);
        await AssertSumAsync(prometheus, "eventide_ingestion_events_total{role=\"ingestion\",outcome=\"rejected\",reason=\"invalid\"}", 1);
        await AssertSumAsync(prometheus, "eventide_processor_events_total{role=\"processor\",outcome=\"stored\"}", Stored);
        await AssertSumAsync(prometheus, "eventide_processor_events_total{role=\"processor\",outcome=\"duplicate\"}", 5);
        await AssertSumAsync(prometheus, "eventide_processor_events_total{role=\"processor\",outcome=\"dead_lettered\"}", 1);
        await AssertSumAsync(prometheus, "eventide_query_duration_seconds_count{role=\"query\",endpoint=\"summary\"}", 1);

        var empty = new List<string>();
        foreach (var (dashboard, expr) in Dashboards.Expressions().Concat(Dashboards.VariableSelectors()))
        {
            var promql = Dashboards.Instantiate(expr);
            try
            {
                await Eventually.WaitAsync(() => prometheus.QueryAsync(promql), r => r.Count > 0, TimeSpan.FromSeconds(20), $"{dashboard}: `{promql}` to return data");
            }
            catch (TimeoutException)
            {
                empty.Add($"{dashboard}: {promql}");
            }
        }
        Assert.True(empty.Count == 0, "dashboard expressions without data:\n" + string.Join("\n", empty));

        foreach (var (alert, expr) in AlertRules.Expressions())
        {
            var error = await Record.ExceptionAsync(() => prometheus.QueryAsync(expr));
            Assert.True(error is null, $"alert {alert}: `{expr}` is rejected by Prometheus: {error?.Message}");
        }

        foreach (var (role, process) in roles)
        {
            using var http = new HttpClient { BaseAddress = process.Address };
            var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
            Assert.True(exitCode == 0, $"promtool check metrics failed for the {role} process (exit {exitCode}):\n{output}");
        }
    }

    private static Task AssertSumAsync(PrometheusServer prometheus, string selector, double expected) =>
        Eventually.WaitAsync(() => prometheus.QueryAsync($"sum({selector})"),
            r => r.Count == 1 && r[0].Value == expected, Deadline, $"Prometheus to see sum({selector}) == {expected}");
}
