using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Eventide.Operator.Tests.FakeApi;

/// <summary>The fake API server's object store, driven by the real KubernetesClient: versions, optimistic concurrency, generations, cascading delete, lists.</summary>
public sealed class FakeApiServerStoreTests : IAsyncLifetime
{
    private const string Ns = FakeCluster.Ns;
    private FakeCluster _c = null!;

    public async Task InitializeAsync() => _c = await FakeCluster.StartAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    private IKubernetes K => _c.Admin;

    private static V1ConfigMap Map(string name, Dictionary<string, string>? data = null, Dictionary<string, string>? labels = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = labels }, Data = data };

    /// <summary>The map with this resourceVersion, as a client that read it would send it back.</summary>
    private static V1ConfigMap At(V1ConfigMap map, string resourceVersion)
    {
        map.Metadata.ResourceVersion = resourceVersion;
        return map;
    }

    private static long Rv(IKubernetesObject<V1ObjectMeta> o) => long.Parse(o.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Every_write_gets_a_higher_resource_version_and_a_no_op_write_keeps_it()
    {
        var created = await K.CoreV1.CreateNamespacedConfigMapAsync(Map("a", new() { ["k"] = "1" }), Ns);
        created.Data["k"] = "2";
        var replaced = await K.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", Ns);
        var patched = await K.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"3"}}""", V1Patch.PatchType.MergePatch), "a", Ns);
        var same = await K.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"3"}}""", V1Patch.PatchType.MergePatch), "a", Ns);

        Assert.NotEmpty(created.Metadata.Uid);
        Assert.True(Rv(created) < Rv(replaced) && Rv(replaced) < Rv(patched), $"{Rv(created)} < {Rv(replaced)} < {Rv(patched)}");
        Assert.Equal(patched.Metadata.ResourceVersion, same.Metadata.ResourceVersion);
        Assert.Equal(patched.Metadata.ResourceVersion, (await K.CoreV1.ReadNamespacedConfigMapAsync("a", Ns)).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Create_of_an_existing_name_is_409_already_exists()
    {
        await K.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), Ns);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => K.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), Ns));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("AlreadyExists", e.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_with_a_stale_resource_version_is_409_and_changes_nothing()
    {
        var v1 = await K.CoreV1.CreateNamespacedConfigMapAsync(Map("a", new() { ["k"] = "1" }), Ns);
        var v2 = await K.CoreV1.ReplaceNamespacedConfigMapAsync(At(Map("a", new() { ["k"] = "2" }), v1.Metadata.ResourceVersion), "a", Ns);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            K.CoreV1.ReplaceNamespacedConfigMapAsync(At(Map("a", new() { ["k"] = "stale" }), v1.Metadata.ResourceVersion), "a", Ns));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var live = await K.CoreV1.ReadNamespacedConfigMapAsync("a", Ns);
        Assert.Equal("2", live.Data["k"]);
        Assert.Equal(v2.Metadata.ResourceVersion, live.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Generation_moves_on_spec_changes_only()
    {
        var d = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "d", NamespaceProperty = Ns },
            Spec = new V1DeploymentSpec { Replicas = 1, Selector = new V1LabelSelector(), Template = new V1PodTemplateSpec() },
        };
        var created = await K.AppsV1.CreateNamespacedDeploymentAsync(d, Ns);
        var relabelled = await K.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"metadata":{"labels":{"x":"y"}}}""", V1Patch.PatchType.MergePatch), "d", Ns);
        var scaled = await K.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "d", Ns);

        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal(1, relabelled.Metadata.Generation);
        Assert.Equal(2, scaled.Metadata.Generation);
        // Standing in for the Deployment controller: status follows the spec.
        Assert.Equal(3, scaled.Status.ReadyReplicas);
        Assert.Equal(2, scaled.Status.ObservedGeneration);
    }

    [Fact]
    public async Task Delete_takes_dependents_with_it_by_owner_reference()
    {
        var owner = await K.CoreV1.CreateNamespacedConfigMapAsync(Map("owner"), Ns);
        var dependent = Map("dependent");
        dependent.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid }];
        await K.CoreV1.CreateNamespacedConfigMapAsync(dependent, Ns);
        await K.CoreV1.CreateNamespacedConfigMapAsync(Map("bystander"), Ns);

        await K.CoreV1.DeleteNamespacedConfigMapAsync("owner", Ns);

        Assert.Equal(["bystander"], (await K.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Select(m => m.Metadata.Name));
    }

    [Fact]
    public async Task List_filters_by_namespace_and_label_selector_and_carries_the_latest_resource_version()
    {
        await K.CoreV1.CreateNamespacedConfigMapAsync(Map("a", labels: new() { ["app"] = "x" }), Ns);
        await K.CoreV1.CreateNamespacedConfigMapAsync(Map("b", labels: new() { ["app"] = "y" }), Ns);
        var last = await K.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c", Labels = new Dictionary<string, string> { ["app"] = "x" } } }, "elsewhere");

        var list = await K.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "app=x");

        Assert.Equal(["a"], list.Items.Select(m => m.Metadata.Name));
        Assert.Equal(last.Metadata.ResourceVersion, list.Metadata.ResourceVersion);
        Assert.Equal(["a", "c"], (await K.CoreV1.ListConfigMapForAllNamespacesAsync(labelSelector: "app=x")).Items.Select(m => m.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_of_a_missing_object_is_404()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => K.CoreV1.ReadNamespacedConfigMapAsync("nope", Ns));

        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
    }
}
