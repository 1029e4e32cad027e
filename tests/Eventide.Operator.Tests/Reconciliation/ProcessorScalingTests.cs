using Eventide.Operator.Reconciliation;
using Eventide.Testing;
using k8s;
using k8s.Models;

namespace Eventide.Operator.Tests.Reconciliation;

/// <summary>
/// The processor cluster's workload against the fake API server: the lag
/// autoscaler's decisions reach the StatefulSet through its scale subresource,
/// never beyond the shard count, and an older operator's processor Deployment goes.
/// </summary>
public sealed class ProcessorScalingTests : IAsyncLifetime
{
    private const string Ns = FakeCluster.Ns;
    private FakeCluster _c = null!;

    public async Task InitializeAsync() => _c = await FakeCluster.StartAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task Lag_autoscaler_scales_the_stateful_set_through_the_scale_subresource_up_to_the_shard_count()
    {
        var pipeline = FakeCluster.Pipeline();
        // 3 shards, at most 3 processors: a fourth would own no shard.
        pipeline["spec"]!["shards"] = 3;
        pipeline["spec"]!["processor"]!["maxReplicas"] = 3;
        _c.Start("op-a");
        await _c.CreatePipelineAsync(pipeline);
        await Eventually.True(() => _c.Replicas("processor") == 1, "the StatefulSet starts at the minimum");

        // 100 events per replica wanted: 10,000 events ask for 100 processors.
        _c.Server.Lag = (10_000, 2);
        await Eventually.True(() => _c.Replicas("processor") == 3, "the processors scale up to the shard count");
        await Eventually.True(() => _c.Server.LagRequests > 10, "the operator keeps reading lag");
        Assert.Equal(3, _c.Replicas("processor"));

        var scales = _c.Server.Scales.Where(s => s.Name == "p-processor").Select(s => s.Replicas).ToList();
        Assert.Contains(3, scales);
        Assert.All(scales, r => Assert.InRange(r, 1, 3));
        // The count is the scale's, not the apply's: a later apply cannot reset it.
        var managers = _c.Server.Managers("apps/v1", "statefulsets", Ns, "p-processor");
        Assert.DoesNotContain("spec.replicas", managers[OperatorOptions.DefaultFieldManager]);
        Assert.Contains("spec.replicas", managers[$"{OperatorOptions.DefaultFieldManager} (scale)"]);

        _c.Server.Lag = (0, 0);
        await Eventually.True(() => _c.Replicas("processor") == 1, "the processors scale down after the stabilization window");
        Assert.Equal(1, _c.Server.Scales.Last(s => s.Name == "p-processor").Replicas);
    }

    [Fact]
    public async Task Autoscaling_off_scales_to_the_minimum_through_the_scale_subresource()
    {
        var pipeline = FakeCluster.Pipeline();
        pipeline["spec"]!["processor"]!["minReplicas"] = 2;
        pipeline["spec"]!["processor"]!["autoscaling"]!["mode"] = "Off";
        _c.Start("op-a");
        await _c.CreatePipelineAsync(pipeline);
        await Eventually.True(() => _c.Replicas("processor") == 2, "the StatefulSet is scaled to minReplicas");
        Assert.Equal(2, _c.Server.Scales.Last(s => s.Name == "p-processor").Replicas);
        await Eventually.True(() => (string?)_c.Condition("Ready")?["status"] == "True", "the pipeline becomes Ready");
        Assert.Equal(2, FakeCluster.Long(_c.PipelineObject()!["status"]!["processor"]!["readyReplicas"]));
    }

    [Fact]
    public async Task Reconcile_deletes_the_processor_deployment_an_older_operator_left()
    {
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        var uid = (string?)_c.PipelineObject()!["metadata"]!["uid"];
        await _c.Admin.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta
            {
                Name = "p-processor",
                NamespaceProperty = Ns,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "eventide.io/v1alpha1", Kind = "EventPipeline", Name = "p", Uid = uid, Controller = true }],
            },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "old" } },
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "eventide", Image = "eventide:0" }] } },
            },
        }, Ns);
        Assert.NotNull(_c.Deployment("processor"));

        _c.Start("op-a");
        await Eventually.True(() => _c.StatefulSet("processor") is not null && _c.Deployment("processor") is null, "the StatefulSet replaces the old Deployment");
        Assert.NotNull(_c.Deployment("ingestion"));
        Assert.NotNull(_c.Server.Get("v1", "services", Ns, "p-processor-headless"));
    }

    [Fact]
    public async Task Network_policies_are_applied_by_default_and_deleted_when_turned_off()
    {
        _c.Start("op-a");
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        string[] names = ["p-processor-remoting", "p-ingestion", "p-query", "p-metrics", "p-egress"];
        await Eventually.True(() => names.All(n => _c.Server.Get("networking.k8s.io/v1", "networkpolicies", Ns, n) is not null), "the five policies exist");
        await _c.PatchPipelineAsync("""{"spec":{"networkPolicies":{"enabled":false}}}""");
        await Eventually.True(() => _c.Server.List("networking.k8s.io/v1", "networkpolicies", Ns).Count == 0, "turning them off deletes them");
    }
}
