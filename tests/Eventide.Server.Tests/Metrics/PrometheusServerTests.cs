using Eventide.Testing;

namespace Eventide.Server.Tests.Metrics;

// The role metrics are process-wide statics: counted values are exact only while no other test posts events.
[Collection(SerialMetricsCollection.Name)]
public class PrometheusServerTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Prometheus_scrapes_every_role_and_sees_a_counter_move()
    {
        await using var ingestion = await RoleHost.StartAsync(db.Options(), Role.Ingestion);
        await using var processor = await RoleHost.StartAsync(db.Options(), Role.Processor);
        await using var query = await RoleHost.StartAsync(db.Options(), Role.Query);
        await using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, Uri>
        {
            ["ingestion"] = ingestion.Address,
            ["processor"] = processor.Address,
            ["query"] = query.Address,
        });

        var up = await Eventually.WaitAsync(() => prometheus.QueryAsync("up"),
            r => r.Count == 3 && r.All(s => s.Value == 1), Deadline, "up == 1 for the three roles");
        Assert.Equal(["ingestion", "processor", "query"], up.Select(s => s.Labels["role"]).Order());

        const string Requests = "sum(eventide_http_requests_total{role=\"ingestion\",route=\"/healthz\",status=\"200\"})";
        await ingestion.Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        var before = await Eventually.WaitAsync(() => prometheus.QueryAsync(Requests), r => r.Count == 1, Deadline, "the first /healthz to be scraped");
        for (var i = 0; i < 5; i++)
        {
            await ingestion.Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        }
        await Eventually.WaitAsync(() => prometheus.QueryAsync(Requests),
            r => r.Count == 1 && r[0].Value == before[0].Value + 5, Deadline, "the counter to rise by the 5 requests made");

        // Events posted to ingestion: accepted there, stored by the processor, both seen by Prometheus.
        var keys = await RoleTraffic.CreateSiteAsync(db, "prometheus-site");
        await RoleTraffic.PostEventsAsync(ingestion, keys, 7);
        await Eventually.WaitAsync(() => prometheus.QueryAsync("sum(eventide_ingestion_events_total{role=\"ingestion\",outcome=\"accepted\"})"),
            r => r.Count == 1 && r[0].Value == 7, Deadline, "Prometheus to see the 7 accepted events");
        await Eventually.WaitAsync(() => prometheus.QueryAsync("sum(eventide_processor_events_total{role=\"processor\",outcome=\"stored\"})"),
            r => r.Count == 1 && r[0].Value == 7, Deadline, "Prometheus to see the 7 events stored by the processor");
    }

    [Fact]
    public async Task Every_dashboard_expression_is_valid_promql()
    {
        await using var host = await RoleHost.StartAsync(db.Options(), Role.All);
        await using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, Uri> { ["all"] = host.Address });

        foreach (var (dashboard, expr) in Dashboards.Expressions())
        {
            var error = await Record.ExceptionAsync(() => prometheus.QueryAsync(Dashboards.Instantiate(expr)));
            Assert.True(error is null, $"{dashboard}: `{expr}` is rejected by Prometheus: {error?.Message}");
        }
    }
}
