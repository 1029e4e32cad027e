using Eventide.Operator.Hosting;
using Eventide.Operator.Reconciliation;
using Eventide.Testing;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;

namespace Eventide.Operator.Tests.Hosting;

/// <summary>The operator's real host against the fake API server: probes and Prometheus metrics over HTTP.</summary>
public sealed class OperatorHostTests : IAsyncLifetime
{
    private FakeCluster _c = null!;
    private WebApplication _app = null!;
    private readonly HttpClient _http = new();
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        _c = await FakeCluster.StartAsync();
        var config = new KubernetesClientConfiguration { Host = _c.Server.Url.ToString() };
        _app = OperatorHost.Build(config, FakeCluster.Options("op-host"), port: 0, TimeProvider.System, new FixedLag());
        _url = await LoopbackKestrel.StartAsync(_app);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
        await _c.DisposeAsync();
    }

    private async Task<(int Code, string Body)> Get(string path)
    {
        using var response = await _http.GetAsync(new Uri(_url, path));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Host_answers_liveness_readiness_and_prometheus_metrics()
    {
        Assert.Equal(200, (await Get("/healthz")).Code);
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        await Eventually.True(() => (string?)_c.Condition("Ready")?["status"] is not null, "the hosted controller reconciles the pipeline");
        Assert.Equal(200, (await Get("/readyz")).Code);

        // The counter and the duration are recorded one after the other, so a scrape can fall between them:
        // wait for every series, then check them on that one scrape.
        string[] series = ["eventide_operator_reconciles_total{", "eventide_operator_reconcile_duration_seconds_bucket{",
            "eventide_operator_leader 1", "result=\"success\"", "eventide_operator_workqueue_depth"];
        string metrics = "";
        await Eventually.True(() =>
        {
            metrics = Get("/metrics").GetAwaiter().GetResult().Body;
            return series.All(s => metrics.Contains(s, StringComparison.Ordinal));
        }, "/metrics shows the reconcile's series");
        Assert.All(series, s => Assert.Contains(s, metrics, StringComparison.Ordinal));
        // Prometheus text format, not OpenMetrics: no EOF marker.
        Assert.DoesNotContain("# EOF", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_is_not_ready_while_the_api_server_was_never_reached()
    {
        await using var unreachable = OperatorHost.Build(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }, FakeCluster.Options("op-lost"), 0, TimeProvider.System, new FixedLag());
        var url = await LoopbackKestrel.StartAsync(unreachable);
        using var ready = await _http.GetAsync(new Uri(url, "/readyz"));
        using var live = await _http.GetAsync(new Uri(url, "/healthz"));
        Assert.Equal((503, 200), ((int)ready.StatusCode, (int)live.StatusCode));
        await unreachable.StopAsync();
    }

    private sealed class FixedLag : ILagReader
    {
        public Task<LagReport> ReadAsync(Eventide.Operator.Resources.EventPipeline pipeline, CancellationToken ct) => Task.FromResult(new LagReport(0, 0, 8));
    }
}
