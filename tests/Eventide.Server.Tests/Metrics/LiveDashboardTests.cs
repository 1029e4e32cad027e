using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Eventide.Core;
using Eventide.Storage.Inbox;
using Eventide.Testing;
using Eventide.Testing.Kubernetes;
using Grpc.Core;
using Grpc.Net.Client;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Server.Tests.Metrics;

/// <summary>
/// Each role as its own `eventide` process under bounded load (two processors
/// in one cluster, so shards are handed off; HTTP and gRPC intake), and the
/// `eventide-operator` process reconciling a pipeline on a fake API server,
/// all scraped by a real Prometheus: every dashboard expression (variables
/// substituted) and every alert expression must be accepted, and every
/// dashboard expression must return data.
/// </summary>
public class LiveDashboardTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    private const string Ns = "team";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_dashboard_and_alert_expression_is_valid_and_every_panel_returns_data_from_the_roles()
    {
        var grpcPort = EventideProcess.FreePort();
        await using var ingestion = await EventideProcess.StartAsync(db.ConnectionString, "ingestion",
            new Dictionary<string, string> { ["Eventide__Ingestion__GrpcListen"] = $"http://127.0.0.1:{grpcPort.ToString(CultureInfo.InvariantCulture)}" });
        var (seedPort, joinerPort) = (EventideProcess.FreePort(), EventideProcess.FreePort());
        await using var processor = await EventideProcess.StartAsync(db.ConnectionString, "processor", ClusterView.Member(seedPort, null));
        await using var query = await EventideProcess.StartAsync(db.ConnectionString, "query");
        await using var api = await FakeApiServer.StartAsync();
        await CreatePipelineAsync(api);
        await using var @operator = await OperatorProcess.StartAsync(api, Ns);
        var roles = new Dictionary<string, EventideProcess> { ["ingestion"] = ingestion, ["processor"] = processor, ["query"] = query };
        // A second processor joins the first: the cluster hands shards over to it, so the handoff panels have data.
        await using var joiner = await EventideProcess.StartAsync(db.ConnectionString, "processor", ClusterView.Member(joinerPort, seedPort));
        var targets = roles.Select(r => ScrapeTarget.Role(r.Key, r.Value.Address))
            .Append(ScrapeTarget.Role("processor", joiner.Address))
            .Append(new ScrapeTarget("eventide-operator", @operator.Address, new Dictionary<string, string>()));
        await using var prometheus = await PrometheusServer.StartAsync(targets);
        using var ingest = new HttpClient { BaseAddress = ingestion.Address };
        using var read = new HttpClient { BaseAddress = query.Address };

        var up = await Eventually.WaitAsync(() => prometheus.QueryAsync("up"),
            r => r.Count == 5 && r.All(s => s.Value == 1), Deadline, "up == 1 for the four data-plane processes and the operator");
        Assert.Equal(["ingestion", "processor", "processor", "query"], up.Where(s => s.Labels["job"] == "eventide").Select(s => s.Labels["role"]).Order(StringComparer.Ordinal));

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
        // Two gRPC batches of five events.
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort.ToString(CultureInfo.InvariantCulture)}");
        var grpc = new V1.Ingest.IngestClient(channel);
        for (var b = 0; b < 2; b++)
        {
            var batch = new V1.EventBatch { BatchId = $"grpc-{b}" };
            batch.Events.Add(Enumerable.Range(0, 5).Select(i => new V1.Event { SiteId = site, Name = "pageview", Path = $"/g/{i}" }));
            var ack = await grpc.SendAsync(batch, new Metadata { { "authorization", "Bearer " + keys.WriteKey } });
            Assert.Equal(5, ack.Accepted);
        }
        const int Accepted = (10 * 20) + 5 + 5 + 1 + 10;
        const int Stored = (10 * 20) + 5 + 1 + 10;

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
        await AssertSumAsync(prometheus, "eventide_ingestion_grpc_batches_total{role=\"ingestion\",code=\"OK\"}", 2);
        // The operator scales the processor up on the fake lag of 350 events (ceil(350 / 100) = 4 replicas).
        await Eventually.WaitAsync(() => Task.FromResult(Replicas(api)), r => r == 4, Deadline, "the operator to scale the processor to 4");
        await AssertSumAsync(prometheus, "eventide_operator_leader", 1);
        await AssertSumAsync(prometheus, "eventide_operator_autoscaler_decisions_total{direction=\"up\"}", 1);
        // The joiner is in the cluster: a member sees both up, and shards were handed over to it.
        await Eventually.WaitAsync(() => prometheus.QueryAsync("max(eventide_processor_cluster_members{role=\"processor\",status=\"up\"})"),
            r => r.Count == 1 && r[0].Value == 2, Deadline, "a processor to see two members up");
        await Eventually.WaitAsync(() => prometheus.QueryAsync("sum(eventide_processor_cluster_handoffs_total{role=\"processor\"})"),
            r => r.Count == 1 && r[0].Value > 0, Deadline, "a processor to hand shards off");

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

        var scraped = roles.Select(r => (Role: r.Key, r.Value.Address)).ToList();
        scraped.Add(("operator", @operator.Address));
        foreach (var (role, address) in scraped)
        {
            using var http = new HttpClient { BaseAddress = address };
            var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
            Assert.True(exitCode == 0, $"promtool check metrics failed for the {role} process (exit {exitCode}):\n{output}");
        }
    }

    /// <summary>The Secrets and the EventPipeline the operator reconciles: 8 shards, up to 4 processors scaled on lag polled every second.</summary>
    private static async Task CreatePipelineAsync(FakeApiServer api)
    {
        api.Lag = (350, 2);
        using var http = new HttpClient { BaseAddress = api.Url };
        async Task PostAsync(string path, string json)
        {
            using var response = await http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        static string Secret(string name, string key, string value) =>
            new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["data"] = new JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) },
            }.ToJsonString();
        await PostAsync($"/api/v1/namespaces/{Ns}/secrets", Secret("db", "connectionString", "Host=db;Username=eventide"));
        await PostAsync($"/api/v1/namespaces/{Ns}/secrets", Secret("admin", "token", api.AdminToken));
        await PostAsync($"/apis/eventide.io/v1alpha1/namespaces/{Ns}/eventpipelines", """
            {
              "apiVersion": "eventide.io/v1alpha1",
              "kind": "EventPipeline",
              "metadata": { "name": "p" },
              "spec": {
                "image": "eventide:1",
                "database": { "secretRef": { "name": "db" } },
                "adminTokenSecretRef": { "name": "admin" },
                "shards": 8,
                "processor": { "minReplicas": 1, "maxReplicas": 4, "autoscaling": { "targetLagPerReplica": 100, "pollIntervalSeconds": 1 } }
              }
            }
            """);
    }

    // The processor's workload, whichever kind the operator renders it as.
    private static long? Replicas(FakeApiServer api) =>
        (api.Get("apps/v1", "statefulsets", Ns, "p-processor") ?? api.Get("apps/v1", "deployments", Ns, "p-processor"))?["spec"]?["replicas"] is JsonValue v
            && v.TryGetValue<long>(out var n) ? n : null;

    private static async Task AssertSumAsync(PrometheusServer prometheus, string selector, double expected)
    {
        try
        {
            await Eventually.WaitAsync(() => prometheus.QueryAsync($"sum({selector})"),
                r => r.Count == 1 && r[0].Value == expected, Deadline, $"Prometheus to see sum({selector}) == {expected}");
        }
        catch (TimeoutException e)
        {
            var series = await prometheus.QueryAsync(selector);
            throw new TimeoutException($"{e.Message}; the series: {string.Join("; ", series.Select(s => $"{{{string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))}}} {s.Value}"))}", e);
        }
    }
}
