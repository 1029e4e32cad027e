using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Eventide.Operator.Tests.FakeApi;

/// <summary>The fake API server's fault injection and access recorder, driven by the real KubernetesClient.</summary>
public sealed class FakeApiServerFaultTests : IAsyncLifetime
{
    private const string Ns = FakeCluster.Ns;
    private FakeCluster _c = null!;

    public async Task InitializeAsync() => _c = await FakeCluster.StartAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    private static V1Patch Apply(string name) => new(new V1ConfigMap
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
    }, V1Patch.PatchType.ApplyPatch);

    [Fact]
    public async Task Fail_next_fails_exactly_that_many_requests_of_that_method_and_resource()
    {
        _c.Server.FailNext("PATCH", "configmaps", 2, 500);
        var k = _c.Admin;

        var first = await Assert.ThrowsAsync<HttpOperationException>(() => k.CoreV1.PatchNamespacedConfigMapAsync(Apply("a"), "a", Ns, fieldManager: "t"));
        // Another method, another resource: unaffected.
        await k.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, Ns);
        await k.CoreV1.PatchNamespacedServiceAccountAsync(new V1Patch(new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = Ns } }, V1Patch.PatchType.ApplyPatch), "s", Ns, fieldManager: "t");
        var second = await Assert.ThrowsAsync<HttpOperationException>(() => k.CoreV1.PatchNamespacedConfigMapAsync(Apply("a"), "a", Ns, fieldManager: "t"));
        await k.CoreV1.PatchNamespacedConfigMapAsync(Apply("a"), "a", Ns, fieldManager: "t");

        Assert.Equal(HttpStatusCode.InternalServerError, first.Response.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, second.Response.StatusCode);
        Assert.Equal(["a", "b"], _c.Server.List("v1", "configmaps", Ns).Select(m => (string?)m["metadata"]!["name"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Fail_next_with_409_answers_a_conflict_status()
    {
        _c.Server.FailNext("PATCH", "configmaps", 1, 409);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _c.Admin.CoreV1.PatchNamespacedConfigMapAsync(Apply("a"), "a", Ns, fieldManager: "t"));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("\"reason\":\"Conflict\"", e.Response.Content, StringComparison.Ordinal);
        Assert.Empty(_c.Server.List("v1", "configmaps", Ns));
    }

    [Fact]
    public async Task Access_of_a_token_names_each_verb_as_the_authorizer_does()
    {
        var k = _c.Client("t1");
        await k.CoreV1.PatchNamespacedConfigMapAsync(Apply("a"), "a", Ns, fieldManager: "t");
        await k.CoreV1.PatchNamespacedConfigMapAsync(Apply("a"), "a", Ns, fieldManager: "t");
        await k.CoreV1.ListNamespacedConfigMapAsync(Ns);
        await k.CoreV1.DeleteNamespacedConfigMapAsync("a", Ns);
        await k.AppsV1.ListNamespacedDeploymentAsync(Ns);
        await _c.Admin.CoreV1.ListNamespacedSecretAsync(Ns);

        // An apply that creates is also a create; the second one is only a patch.
        Assert.Equal(
            [("", "configmaps", "create"), ("", "configmaps", "delete"), ("", "configmaps", "list"), ("", "configmaps", "patch"), ("apps", "deployments", "list")],
            _c.Server.AccessOf("t1").Order());
        Assert.Empty(_c.Server.AccessOf("never-used"));
    }
}
