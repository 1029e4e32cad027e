using System.Text;
using System.Text.Json.Nodes;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using Eventide.Operator.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eventide.Operator.Tests.Reconciliation;

/// <summary>The controller end to end against the fake API server; assertions read the server's live state.</summary>
public sealed class OperatorControllerTests : IAsyncLifetime
{
    private const string Ns = "team";
    private FakeApiServer _server = null!;
    private KubernetesClient _client = null!;
    private readonly HttpClient _http = new();
    private readonly List<(CancellationTokenSource Stop, Task Run)> _running = [];

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _client = new KubernetesClient(new ClusterConnection(_server.Url, null, false, null, null, "default"));
        await _client.CreateAsync(ResourceType.Secret, Ns, Secret("db", "connectionString", "Host=db;Username=eventide"), default);
        await _client.CreateAsync(ResourceType.Secret, Ns, Secret("admin", "token", _server.AdminToken), default);
    }

    public async Task DisposeAsync()
    {
        foreach (var (stop, run) in _running)
        {
            await stop.CancelAsync();
            await run;
            stop.Dispose();
        }
        _client.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Controller_takes_a_pipeline_from_create_to_ready_through_scaling_to_delete()
    {
        _server.DeploymentsBecomeAvailable = false;
        var controller = Start("op-a");
        await _client.CreateAsync(ResourceType.EventPipeline, Ns, Pipeline(), default);

        await Eventually.True(() => Deployment("processor") is not null && Deployment("ingestion") is not null && Deployment("query") is not null, "the three Deployments exist");
        await Eventually.True(() => Condition("Ready") is { } c && (string?)c["status"] == "False" && (string?)c["reason"] == Conditions.ReasonComponentsNotReady, "Ready is False while pods start");
        var uid = (string?)PipelineObject()!["metadata"]!["uid"];
        foreach (var plural in new[] { "serviceaccounts", "configmaps", "services" })
        {
            Assert.NotEmpty(_server.List("v1", plural, Ns));
        }
        Assert.Equal(3, _server.List("policy/v1", "poddisruptionbudgets", Ns).Count);
        Assert.Equal(2, _server.List("autoscaling/v2", "horizontalpodautoscalers", Ns).Count);
        var processor = Deployment("processor")!;
        Assert.Equal(uid, (string?)processor["metadata"]!["ownerReferences"]![0]!["uid"]);
        Assert.Contains("spec.replicas", _server.Managers("apps/v1", "deployments", Ns, "p-processor")[OperatorOptions.DefaultFieldManager]);
        // With a CPU autoscaler the HPA owns ingestion's replicas, so the operator never sets them.
        Assert.DoesNotContain("spec.replicas", _server.Managers("apps/v1", "deployments", Ns, "p-ingestion")[OperatorOptions.DefaultFieldManager]);

        _server.MarkDeploymentsAvailable();
        await Eventually.True(() => (string?)Condition("Ready")?["status"] == "True", "Ready becomes True once the Deployments are available");
        var status = PipelineObject()!["status"]!;
        Assert.Equal(1, Json.Long(status["observedGeneration"]));
        Assert.Equal(1, Json.Long(status["processor"]!["readyReplicas"]));
        Assert.Equal("True", (string?)Condition("DatabaseReady")?["status"]);
        Assert.Equal("False", (string?)Condition("Degraded")?["status"]);
        Assert.Equal($"http://p-query.{Ns}.svc:8080", (string?)status["endpoints"]!["query"]);

        await _client.MergePatchAsync(ResourceType.EventPipeline, Ns, "p", JsonNode.Parse("""{"spec":{"image":"eventide:2"}}""")!.AsObject(), null, default);
        await Eventually.True(() => Image("query") == "eventide:2" && Json.Long(PipelineObject()!["status"]?["observedGeneration"]) == 2, "the spec change reaches every Deployment and the status");

        // The watch connection breaks and history is gone: the controller lists again and carries on.
        _server.ExpireWatches();

        _server.Lag = (350, 2);
        await Eventually.True(() => Replicas("processor") == 4, "the processor scales up to ceil(350 / 100) = 4");
        await Eventually.True(() => Json.Long(PipelineObject()!["status"]?["lag"]?["totalEvents"]) == 350, "status shows the lag");
        _server.Lag = (100_000, 2);
        await Eventually.True(() => _server.LagRequests > 20, "the controller keeps polling lag");
        Assert.Equal(4, Replicas("processor"));

        // Someone else sets replicas: the operator alone owns them and takes them back.
        await _client.MergePatchAsync(ResourceType.Deployment, Ns, "p-processor", JsonNode.Parse("""{"spec":{"replicas":2}}""")!.AsObject(), null, default);
        await Eventually.True(() => Replicas("processor") == 4, "the operator restores its replica count");

        _server.Lag = (0, 0);
        await Eventually.True(() => Replicas("processor") == 1, "the processor scales down after the stabilization window");

        await _client.DeleteAsync(ResourceType.EventPipeline, Ns, "p", default);
        await Eventually.True(() => _server.List("apps/v1", "deployments", Ns).Count == 0 && _server.List("v1", "configmaps", Ns).Count == 0, "owned objects are gone with the pipeline");
        var reconciles = controller.Reconciles;
        await Eventually.True(() => controller.Reconciles > reconciles, "the controller saw the deletion");
        Assert.Empty(_server.List("apps/v1", "deployments", Ns));
    }

    [Fact]
    public async Task Controller_prunes_optional_objects_the_spec_no_longer_wants()
    {
        Start("op-a");
        var pipeline = Pipeline();
        pipeline["spec"]!["ingestion"] = JsonNode.Parse("""{"ingress":{"enabled":true,"host":"events.example.com"}}""");
        await _client.CreateAsync(ResourceType.EventPipeline, Ns, pipeline, default);
        await Eventually.True(() => _server.Get("networking.k8s.io/v1", "ingresses", Ns, "p") is not null, "the Ingress exists");
        await _client.MergePatchAsync(ResourceType.EventPipeline, Ns, "p", JsonNode.Parse("""{"spec":{"ingestion":{"ingress":{"enabled":false}}}}""")!.AsObject(), null, default);
        await Eventually.True(() => _server.Get("networking.k8s.io/v1", "ingresses", Ns, "p") is null, "the Ingress is deleted");
    }

    [Fact]
    public async Task Controller_in_keda_mode_leaves_processor_replicas_to_a_scaled_object()
    {
        Start("op-a");
        var pipeline = Pipeline();
        pipeline["spec"]!["processor"]!["autoscaling"]!["mode"] = "KEDA";
        await _client.CreateAsync(ResourceType.EventPipeline, Ns, pipeline, default);
        await Eventually.True(() => _server.Get("keda.sh/v1alpha1", "scaledobjects", Ns, "p-processor") is not null, "the ScaledObject exists");
        Assert.DoesNotContain("spec.replicas", _server.Managers("apps/v1", "deployments", Ns, "p-processor")[OperatorOptions.DefaultFieldManager]);
        var trigger = _server.Get("keda.sh/v1alpha1", "scaledobjects", Ns, "p-processor")!["spec"]!["triggers"]![0]!;
        Assert.Equal("SELECT coalesce(sum(event_count),0) FROM eventide.inbox", (string?)trigger["metadata"]!["query"]);
    }

    [Fact]
    public async Task Controller_retries_conflicting_applies_with_backoff_and_reports_them_meanwhile()
    {
        _server.FailNext("PATCH", "deployments", 3, 409);
        var controller = Start("op-a");
        await _client.CreateAsync(ResourceType.EventPipeline, Ns, Pipeline(), default);
        await Eventually.True(() => (string?)Condition("Degraded")?["reason"] == Conditions.ReasonApplyFailed, "Degraded reports the failed apply");
        await Eventually.True(() => (string?)Condition("Ready")?["status"] == "True" && (string?)Condition("Degraded")?["status"] == "False", "the retried reconcile succeeds");
        Assert.True(controller.Reconciles >= 4, $"expected at least 3 failed and 1 good reconcile, saw {controller.Reconciles}");
    }

    [Fact]
    public async Task Controller_reports_a_missing_database_secret_as_degraded()
    {
        Start("op-a");
        var pipeline = Pipeline();
        pipeline["spec"]!["database"]!["secretRef"]!["name"] = "nope";
        await _client.CreateAsync(ResourceType.EventPipeline, Ns, pipeline, default);
        await Eventually.True(() => (string?)Condition("DatabaseReady")?["reason"] == Conditions.ReasonSecretMissing, "DatabaseReady says the Secret is missing");
        Assert.Equal("True", (string?)Condition("Degraded")?["status"]);
        Assert.Equal("False", (string?)Condition("Ready")?["status"]);
    }

    [Fact]
    public async Task Two_controllers_elect_one_leader_and_the_standby_takes_over()
    {
        var a = Start("op-a");
        var b = Start("op-b");
        await Eventually.True(() => a.IsLeader ^ b.IsLeader, "exactly one controller leads");
        var (leader, standby) = a.IsLeader ? (a, b) : (b, a);
        var lease = _server.Get("coordination.k8s.io/v1", "leases", "default", "eventide-operator")!;
        Assert.Equal(leader == a ? "op-a" : "op-b", (string?)lease["spec"]!["holderIdentity"]);

        await _client.CreateAsync(ResourceType.EventPipeline, Ns, Pipeline(), default);
        await Eventually.True(() => Deployment("processor") is not null, "the leader reconciles");
        Assert.Equal(0, standby.Reconciles);
        Assert.False(standby.IsLeader);

        var index = leader == a ? 0 : 1;
        await _running[index].Stop.CancelAsync();
        await _running[index].Run;
        await Eventually.True(() => standby.IsLeader, "the standby takes over the Lease");
        var taken = _server.Get("coordination.k8s.io/v1", "leases", "default", "eventide-operator")!;
        Assert.Equal(standby == a ? "op-a" : "op-b", (string?)taken["spec"]!["holderIdentity"]);
        Assert.Equal(1, Json.Long(taken["spec"]!["leaseTransitions"]));

        await _client.MergePatchAsync(ResourceType.EventPipeline, Ns, "p", JsonNode.Parse("""{"spec":{"image":"eventide:3"}}""")!.AsObject(), null, default);
        await Eventually.True(() => Image("processor") == "eventide:3", "the new leader reconciles");
    }

    private OperatorController Start(string identity)
    {
        var options = new OperatorOptions
        {
            Identity = identity,
            LeaseNamespace = "default",
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
            BackoffBase = TimeSpan.FromMilliseconds(50),
            BackoffMax = TimeSpan.FromSeconds(1),
            LagPollInterval = TimeSpan.FromMilliseconds(100),
            WatchErrorDelay = TimeSpan.FromMilliseconds(50),
        };
        var controller = new OperatorController(_client, new HttpLagReader(_client, _http, _ => _server.Url), options, TimeProvider.System, NullLoggerFactory.Instance);
        var stop = new CancellationTokenSource();
        _running.Add((stop, controller.RunAsync(stop.Token)));
        return controller;
    }

    private static JsonObject Pipeline() => JsonNode.Parse($$"""
        {
          "apiVersion": "eventide.io/v1alpha1",
          "kind": "EventPipeline",
          "metadata": { "name": "p", "namespace": "{{Ns}}" },
          "spec": {
            "image": "eventide:1",
            "database": { "secretRef": { "name": "db" } },
            "adminTokenSecretRef": { "name": "admin" },
            "shards": 8,
            "processor": {
              "minReplicas": 1,
              "maxReplicas": 4,
              "autoscaling": { "targetLagPerReplica": 100, "maxLagAgeSeconds": 30, "scaleDownStabilizationSeconds": 1 }
            }
          }
        }
        """)!.AsObject();

    private static JsonObject Secret(string name, string key, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns },
        ["data"] = new JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) },
    };

    private JsonObject? PipelineObject() => _server.Get(EventPipeline.ApiVersionValue, EventPipeline.Plural, Ns, "p");

    private JsonNode? Condition(string type) =>
        PipelineObject()?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == type);

    private JsonObject? Deployment(string role) => _server.Get("apps/v1", "deployments", Ns, $"p-{role}");

    private long? Replicas(string role) => Json.Long(Deployment(role)?["spec"]?["replicas"]);

    private string? Image(string role) => (string?)Deployment(role)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"];
}
