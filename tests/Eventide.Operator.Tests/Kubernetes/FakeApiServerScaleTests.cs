using Eventide.Testing.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Eventide.Operator.Tests.Kubernetes;

/// <summary>The fake API server's scale subresource, through the real client, as the operator uses it.</summary>
public sealed class FakeApiServerScaleTests : IAsyncLifetime
{
    private const string Ns = "team";
    private FakeApiServer _server = null!;
    private k8s.Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Url.ToString() });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private Task<V1StatefulSet> ApplyAsync() => _client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(new V1StatefulSet
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = Ns },
        Spec = new V1StatefulSetSpec
        {
            ServiceName = "s-headless",
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "s" } },
            Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i:1" }] } },
        },
    }, V1Patch.PatchType.ApplyPatch), "s", Ns, fieldManager: "m", force: true);

    [Fact]
    public async Task Scale_patch_sets_the_replicas_and_a_later_apply_without_them_keeps_them()
    {
        await ApplyAsync();
        var scale = await _client.AppsV1.PatchNamespacedStatefulSetScaleAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "s", Ns, fieldManager: "m");
        Assert.Equal(("Scale", 3), (scale.Kind, scale.Spec.Replicas));
        Assert.Equal([(Ns, "s", 3L)], _server.Scales);

        var applied = await ApplyAsync();
        Assert.Equal(3, applied.Spec.Replicas);
        Assert.Equal(3, applied.Status.ReadyReplicas);
        Assert.Equal(3, (await _client.AppsV1.ReadNamespacedStatefulSetScaleAsync("s", Ns)).Spec.Replicas);
        Assert.Contains("spec.replicas", _server.Managers("apps/v1", "statefulsets", Ns, "s")["m (scale)"]);
    }

    [Fact]
    public async Task Scale_of_a_missing_stateful_set_is_not_found_and_records_nothing()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.AppsV1.PatchNamespacedStatefulSetScaleAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "nope", Ns));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.Response.StatusCode);
        Assert.Empty(_server.Scales);
    }
}
