using System.Text.Json.Nodes;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using Eventide.Testing;
using k8s;
using k8s.Models;

namespace Eventide.Operator.Tests.Reconciliation;

/// <summary>The controller end to end, through the real KubernetesClient, against the fake API server; assertions read the server's live state.</summary>
public sealed class OperatorControllerTests : IAsyncLifetime
{
    private const string Ns = FakeCluster.Ns;
    private FakeCluster _c = null!;

    public async Task InitializeAsync() => _c = await FakeCluster.StartAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task Controller_takes_a_pipeline_from_create_to_ready_through_scaling_to_delete()
    {
        _c.Server.DeploymentsBecomeAvailable = false;
        _c.Start("op-a");
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());

        await Eventually.True(() => _c.StatefulSet("processor") is not null && _c.Deployment("ingestion") is not null && _c.Deployment("query") is not null, "the processor StatefulSet and the two Deployments exist");
        await Eventually.True(() => _c.Condition("Ready") is { } c && (string?)c["status"] == "False" && (string?)c["reason"] == Conditions.ReasonComponentsNotReady, "Ready is False while pods start");
        var uid = (string?)_c.PipelineObject()!["metadata"]!["uid"];
        foreach (var plural in new[] { "serviceaccounts", "configmaps", "services" })
        {
            Assert.NotEmpty(_c.Server.List("v1", plural, Ns));
        }
        Assert.Equal(3, _c.Server.List("policy/v1", "poddisruptionbudgets", Ns).Count);
        Assert.Equal(2, _c.Server.List("autoscaling/v2", "horizontalpodautoscalers", Ns).Count);
        var processor = _c.StatefulSet("processor")!;
        Assert.Equal(uid, (string?)processor["metadata"]!["ownerReferences"]![0]!["uid"]);
        // The operator scales the processors through the scale subresource; its apply leaves the count alone.
        Assert.DoesNotContain("spec.replicas", _c.Server.Managers("apps/v1", "statefulsets", Ns, "p-processor")[OperatorOptions.DefaultFieldManager]);
        // With a CPU autoscaler the HPA owns ingestion's replicas, so the operator never sets them.
        Assert.DoesNotContain("spec.replicas", _c.Server.Managers("apps/v1", "deployments", Ns, "p-ingestion")[OperatorOptions.DefaultFieldManager]);

        _c.Server.MarkDeploymentsAvailable();
        await Eventually.True(() => (string?)_c.Condition("Ready")?["status"] == "True", "Ready becomes True once the workloads are available");
        var status = _c.PipelineObject()!["status"]!;
        Assert.Equal(1, FakeCluster.Long(status["observedGeneration"]));
        Assert.Equal(1, FakeCluster.Long(status["processor"]!["readyReplicas"]));
        Assert.Equal("True", (string?)_c.Condition("DatabaseReady")?["status"]);
        Assert.Equal("False", (string?)_c.Condition("Degraded")?["status"]);
        Assert.Equal($"http://p-query.{Ns}.svc:8080", (string?)status["endpoints"]!["query"]);

        await _c.PatchPipelineAsync("""{"spec":{"image":"eventide:2"}}""");
        await Eventually.True(() => _c.Image("query") == "eventide:2" && FakeCluster.Long(_c.PipelineObject()!["status"]?["observedGeneration"]) == 2, "the spec change reaches every Deployment and the status");

        // The watch connection breaks and history is gone: the controller lists again and carries on.
        _c.Server.ExpireWatches();

        _c.Server.Lag = (350, 2);
        await Eventually.True(() => _c.Replicas("processor") == 4, "the processor scales up to ceil(350 / 100) = 4");
        await Eventually.True(() => FakeCluster.Long(_c.PipelineObject()!["status"]?["lag"]?["totalEvents"]) == 350, "status shows the lag");
        _c.Server.Lag = (100_000, 2);
        await Eventually.True(() => _c.Server.LagRequests > 20, "the controller keeps polling lag");
        Assert.Equal(4, _c.Replicas("processor"));

        // Someone else sets replicas: the operator alone owns them and takes them back.
        await _c.Admin.AppsV1.PatchNamespacedStatefulSetScaleAsync(new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), "p-processor", Ns);
        await Eventually.True(() => _c.Replicas("processor") == 4, "the operator restores its replica count");

        _c.Server.Lag = (0, 0);
        await Eventually.True(() => _c.Replicas("processor") == 1, "the processor scales down after the stabilization window");

        await _c.DeletePipelineAsync();
        await Eventually.True(() => _c.Server.List("apps/v1", "deployments", Ns).Count == 0 && _c.Server.List("apps/v1", "statefulsets", Ns).Count == 0 && _c.Server.List("v1", "configmaps", Ns).Count == 0, "owned objects are gone with the pipeline");
        // The reconcile that finds the pipeline gone is the controller's last word on it, and it
        // may have run before the owned objects were seen gone: wait for its log, not for more reconciles.
        await Eventually.True(() => _c.Logs.GetSnapshot().Any(r => r.Id.Name == "PipelineGone"), "the controller saw the deletion");
        Assert.Empty(_c.Server.List("apps/v1", "deployments", Ns));
    }

    [Fact]
    public async Task Controller_prunes_optional_objects_the_spec_no_longer_wants()
    {
        _c.Start("op-a");
        var pipeline = FakeCluster.Pipeline();
        pipeline["spec"]!["ingestion"] = JsonNode.Parse("""{"ingress":{"enabled":true,"host":"events.example.com"}}""");
        await _c.CreatePipelineAsync(pipeline);
        await Eventually.True(() => _c.Server.Get("networking.k8s.io/v1", "ingresses", Ns, "p") is not null, "the Ingress exists");
        await _c.PatchPipelineAsync("""{"spec":{"ingestion":{"ingress":{"enabled":false}}}}""");
        await Eventually.True(() => _c.Server.Get("networking.k8s.io/v1", "ingresses", Ns, "p") is null, "the Ingress is deleted");
    }

    [Fact]
    public async Task Controller_in_keda_mode_leaves_processor_replicas_to_a_scaled_object()
    {
        _c.Start("op-a");
        var pipeline = FakeCluster.Pipeline();
        pipeline["spec"]!["processor"]!["autoscaling"]!["mode"] = "KEDA";
        await _c.CreatePipelineAsync(pipeline);
        await Eventually.True(() => _c.Server.Get("keda.sh/v1alpha1", "scaledobjects", Ns, "p-processor") is not null, "the ScaledObject exists");
        Assert.DoesNotContain("spec.replicas", _c.Server.Managers("apps/v1", "statefulsets", Ns, "p-processor")[OperatorOptions.DefaultFieldManager]);
        Assert.DoesNotContain(_c.Server.Scales, s => s.Name == "p-processor");
        var trigger = _c.Server.Get("keda.sh/v1alpha1", "scaledobjects", Ns, "p-processor")!["spec"]!["triggers"]![0]!;
        Assert.Equal("SELECT coalesce(sum(event_count),0) FROM eventide.inbox", (string?)trigger["metadata"]!["query"]);
    }

    [Fact]
    public async Task A_request_that_never_answers_does_not_stop_the_lag_scaling()
    {
        _c.Start("op-a");
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        await Eventually.True(() => (string?)_c.Condition("Ready")?["status"] == "True", "the pipeline is Ready");
        // The next read of the processors' StatefulSet, by a lag-polling reconcile, hangs.
        _c.Server.HangNext("GET", "statefulsets", 1);
        await Eventually.True(() => _c.Server.HungRequests == 1, "a reconcile's request hangs");
        _c.Server.Lag = (350, 2);
        // The client's own timeout is 100 s; the reconcile deadline gives up after 5 s and retries.
        await Eventually.True(() => _c.Replicas("processor") == 4, "the processor scales up to 4 all the same");
    }

    [Fact]
    public async Task Controller_retries_conflicting_applies_with_backoff_and_reports_them_meanwhile()
    {
        _c.Server.FailNext("PATCH", "deployments", 3, 409);
        var (controller, _) = _c.Start("op-a");
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        await Eventually.True(() => (string?)_c.Condition("Degraded")?["reason"] == Conditions.ReasonApplyFailed, "Degraded reports the failed apply");
        await Eventually.True(() => (string?)_c.Condition("Ready")?["status"] == "True" && (string?)_c.Condition("Degraded")?["status"] == "False", "the retried reconcile succeeds");
        // The count moves when a reconcile returns, just after it wrote the status the line above saw.
        await Eventually.True(() => controller.Reconciles >= 4, "at least 3 failed and 1 good reconcile");
    }

    [Fact]
    public async Task Controller_reports_a_missing_database_secret_as_degraded()
    {
        _c.Start("op-a");
        var pipeline = FakeCluster.Pipeline();
        pipeline["spec"]!["database"]!["secretRef"]!["name"] = "nope";
        await _c.CreatePipelineAsync(pipeline);
        await Eventually.True(() => (string?)_c.Condition("DatabaseReady")?["reason"] == Conditions.ReasonSecretMissing, "DatabaseReady says the Secret is missing");
        Assert.Equal("True", (string?)_c.Condition("Degraded")?["status"]);
        Assert.Equal("False", (string?)_c.Condition("Ready")?["status"]);
    }

    [Fact]
    public async Task Two_controllers_elect_one_leader_and_the_standby_takes_over()
    {
        var (a, ia) = _c.Start("op-a");
        var (b, ib) = _c.Start("op-b");
        await Eventually.True(() => a.IsLeader ^ b.IsLeader, "exactly one controller leads");
        var (leader, standby) = a.IsLeader ? (a, b) : (b, a);
        var lease = _c.Server.Get("coordination.k8s.io/v1", "leases", "default", "eventide-operator")!;
        Assert.Equal(leader == a ? "op-a" : "op-b", (string?)lease["spec"]!["holderIdentity"]);

        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        await Eventually.True(() => _c.StatefulSet("processor") is not null, "the leader reconciles");
        Assert.Equal(0, standby.Reconciles);
        Assert.False(standby.IsLeader);

        await _c.StopAsync(leader == a ? ia : ib);
        await Eventually.True(() => standby.IsLeader, "the standby takes over the Lease");
        var taken = _c.Server.Get("coordination.k8s.io/v1", "leases", "default", "eventide-operator")!;
        Assert.Equal(standby == a ? "op-a" : "op-b", (string?)taken["spec"]!["holderIdentity"]);
        Assert.Equal(1, FakeCluster.Long(taken["spec"]!["leaseTransitions"]));

        await _c.PatchPipelineAsync("""{"spec":{"image":"eventide:3"}}""");
        await Eventually.True(() => _c.Image("processor") == "eventide:3", "the new leader reconciles");
    }
}
