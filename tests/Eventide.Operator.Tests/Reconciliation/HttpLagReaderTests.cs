using System.Text;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using Eventide.Testing.Kubernetes;
using k8s;
using k8s.Models;

namespace Eventide.Operator.Tests.Reconciliation;

public sealed class HttpLagReaderTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;
    private k8s.Kubernetes _client = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Url.ToString() });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private HttpLagReader Reader() => new(_client, _http, _ => _server.Url);

    private static EventPipeline Pipeline() => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns" },
        Spec = new EventPipelineSpec { AdminTokenSecretRef = new AdminTokenSecretRef { Name = "admin", Key = "token" } },
    };

    private Task CreateTokenSecret(string token) => _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
    {
        Metadata = new V1ObjectMeta { Name = "admin", NamespaceProperty = "ns" },
        Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes(token) },
    }, "ns");

    [Fact]
    public async Task ReadAsync_returns_total_and_oldest_age_with_the_admin_token()
    {
        await CreateTokenSecret(_server.AdminToken);
        _server.Lag = (123, 1.5);
        var report = await Reader().ReadAsync(Pipeline(), default);
        Assert.Equal((123L, 1.5, 1), (report.TotalEvents, report.MaxAgeSeconds, report.Shards));
    }

    [Fact]
    public async Task ReadAsync_with_a_wrong_token_is_unavailable()
    {
        await CreateTokenSecret("wrong");
        var e = await Assert.ThrowsAsync<LagUnavailableException>(() => Reader().ReadAsync(Pipeline(), default));
        Assert.Contains("401", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_without_the_token_secret_is_unavailable()
    {
        var e = await Assert.ThrowsAsync<LagUnavailableException>(() => Reader().ReadAsync(Pipeline(), default));
        Assert.Contains("admin", e.Message, StringComparison.Ordinal);
    }
}
