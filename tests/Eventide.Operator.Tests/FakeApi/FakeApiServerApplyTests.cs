using System.Net;
using System.Text.Json.Nodes;
using Eventide.Operator.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Eventide.Operator.Tests.FakeApi;

/// <summary>The fake API server's apply model, driven by the real KubernetesClient: server-side apply with field managers and force, merge patch, and the status subresource.</summary>
public sealed class FakeApiServerApplyTests : IAsyncLifetime
{
    private const string Ns = FakeCluster.Ns;
    private FakeCluster _c = null!;

    public async Task InitializeAsync() => _c = await FakeCluster.StartAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    private IKubernetes K => _c.Admin;

    private static V1Patch Apply(Dictionary<string, string> data) => new(new V1ConfigMap
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = Ns },
        Data = data,
    }, V1Patch.PatchType.ApplyPatch);

    private Task<V1ConfigMap> ApplyAsync(Dictionary<string, string> data, string manager, bool force = false) =>
        K.CoreV1.PatchNamespacedConfigMapAsync(Apply(data), "a", Ns, fieldManager: manager, force: force);

    [Fact]
    public async Task Apply_creates_the_object_and_records_its_fields_under_the_field_manager()
    {
        var created = await ApplyAsync(new() { ["x"] = "1", ["y"] = "2" }, "op");

        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal(new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" }, created.Data);
        Assert.Equal(["data.x", "data.y"], _c.Server.Managers("v1", "configmaps", Ns, "a")["op"]);
    }

    [Fact]
    public async Task Apply_without_a_field_manager_is_400()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => K.CoreV1.PatchNamespacedConfigMapAsync(Apply(new() { ["x"] = "1" }), "a", Ns));

        Assert.Equal(HttpStatusCode.BadRequest, e.Response.StatusCode);
        Assert.Empty(_c.Server.List("v1", "configmaps", Ns));
    }

    [Fact]
    public async Task Apply_of_a_field_another_manager_set_differently_conflicts_unless_forced()
    {
        await ApplyAsync(new() { ["x"] = "1" }, "op");

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyAsync(new() { ["x"] = "2" }, "someone"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("conflict with \"op\": .data.x", (string?)JsonNode.Parse(e.Response.Content)?["message"], StringComparison.Ordinal);
        Assert.Equal("1", (await K.CoreV1.ReadNamespacedConfigMapAsync("a", Ns)).Data["x"]);

        var forced = await ApplyAsync(new() { ["x"] = "3" }, "someone", force: true);
        Assert.Equal("3", forced.Data["x"]);
        var managers = _c.Server.Managers("v1", "configmaps", Ns, "a");
        Assert.Equal(["data.x"], managers["someone"]);
        Assert.False(managers.ContainsKey("op"), "a forced apply takes the field from its previous manager");
    }

    [Fact]
    public async Task Apply_of_the_value_another_manager_set_is_no_conflict()
    {
        await ApplyAsync(new() { ["x"] = "1" }, "op");

        var same = await ApplyAsync(new() { ["x"] = "1", ["y"] = "2" }, "someone");

        Assert.Equal("2", same.Data["y"]);
    }

    [Fact]
    public async Task Apply_removes_the_fields_its_manager_dropped_and_keeps_those_of_other_managers()
    {
        await ApplyAsync(new() { ["x"] = "1", ["y"] = "2" }, "op");
        await K.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"z":"mine"}}""", V1Patch.PatchType.MergePatch), "a", Ns, fieldManager: "kubectl");

        var next = await ApplyAsync(new() { ["x"] = "1" }, "op");

        Assert.Equal(new Dictionary<string, string> { ["x"] = "1", ["z"] = "mine" }, next.Data);
    }

    [Fact]
    public async Task Status_subresource_writes_only_status_and_the_main_resource_never_does()
    {
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        var before = _c.PipelineObject()!;

        var statusPatch = new V1Patch("""{"spec":{"image":"ignored:9"},"status":{"observedGeneration":1}}""", V1Patch.PatchType.MergePatch);
        await K.CustomObjects.PatchNamespacedCustomObjectStatusAsync(statusPatch, EventPipeline.Group, EventPipeline.Version, Ns, EventPipeline.Plural, "p");
        var afterStatus = _c.PipelineObject()!;
        await _c.PatchPipelineAsync("""{"status":{"observedGeneration":99}}""");
        var afterMain = _c.PipelineObject()!;

        Assert.Null(before["status"]);
        Assert.Equal("eventide:1", (string?)afterStatus["spec"]!["image"]);
        Assert.Equal(1, FakeCluster.Long(afterStatus["status"]!["observedGeneration"]));
        Assert.Equal(1, FakeCluster.Long(afterStatus["metadata"]!["generation"]));
        Assert.Equal(1, FakeCluster.Long(afterMain["status"]!["observedGeneration"]));
        // A status write is a write: it moves the resourceVersion, not the generation.
        Assert.NotEqual((string?)before["metadata"]!["resourceVersion"], (string?)afterStatus["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Create_drops_status_because_it_belongs_to_the_subresource()
    {
        var pipeline = FakeCluster.Pipeline();
        pipeline["status"] = JsonNode.Parse("""{"observedGeneration":5}""");

        await _c.CreatePipelineAsync(pipeline);

        Assert.Null(_c.PipelineObject()!["status"]);
    }
}
