using System.Net;
using Eventide.Operator.Health;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eventide.Operator.Tests.Health;

/// <summary>The probes `eventide-operator run --health-port` serves, wired to a real controller.</summary>
public sealed class HealthServerTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _server = await FakeApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Readyz_answers_200_once_the_election_reaches_the_api_server_and_503_after_it_stops_answering()
    {
        using var client = new KubernetesClient(new ClusterConnection(_server.Url, null, false, null, null, "default"));
        var controller = Controller(client);
        await using var health = await HealthServer.StartAsync(0, () => controller.IsReady, default);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(health, "/readyz"));

        using var stop = new CancellationTokenSource();
        var run = controller.RunAsync(stop.Token);
        await Eventually.True(() => StatusAsync(health, "/readyz").Result == HttpStatusCode.OK, "/readyz answers 200");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(health, "/healthz"));

        // The API server fails every lease read: after one lease duration without an answer the replica is not ready, yet alive.
        _server.FailNext("GET", "leases", int.MaxValue, 500);
        await Eventually.True(() => StatusAsync(health, "/readyz").Result == HttpStatusCode.ServiceUnavailable, "/readyz answers 503");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(health, "/healthz"));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Readyz_answers_503_when_the_api_server_was_never_reached()
    {
        using var client = new KubernetesClient(new ClusterConnection(new Uri("http://127.0.0.1:1"), null, false, null, null, "default"));
        var controller = Controller(client);
        await using var health = await HealthServer.StartAsync(0, () => controller.IsReady, default);
        using var stop = new CancellationTokenSource();
        var run = controller.RunAsync(stop.Token);
        // Watching for a second is the point here (ten failed 100 ms election rounds), not a wait for an event.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < deadline)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(health, "/readyz"));
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(health, "/healthz"));
        await stop.CancelAsync();
        await run;
    }

    private static OperatorController Controller(KubernetesClient client)
    {
        var options = new OperatorOptions
        {
            Identity = "op-health",
            LeaseDuration = TimeSpan.FromSeconds(1),
            RenewDeadline = TimeSpan.FromSeconds(0.8),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
            WatchErrorDelay = TimeSpan.FromMilliseconds(50),
        };
        return new OperatorController(client, new NoLag(), options, TimeProvider.System, NullLoggerFactory.Instance);
    }

    private async Task<HttpStatusCode> StatusAsync(HealthServer health, string path)
    {
        using var response = await _http.GetAsync(new Uri($"http://localhost:{health.Port}{path}"));
        return response.StatusCode;
    }

    private sealed class NoLag : ILagReader
    {
        public Task<LagReport> ReadAsync(Operator.Resources.EventPipeline pipeline, CancellationToken ct) => throw new LagUnavailableException("no lag in this test");
    }
}
