using System.Reflection;
using System.Text.Json.Nodes;
using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Eventide.Operator.Tests.Reconciliation;

/// <summary>
/// One reconcile at a time, called directly (no controller, no queue), through
/// the real KubernetesClient against the fake API server; assertions read the
/// server's live state.
/// </summary>
public sealed class PipelineReconcilerTests : IAsyncLifetime
{
    private const string Ns = FakeCluster.Ns;
    private const string Key = $"{Ns}/p";
    private const string Token = "reconciler-token";

    // Where each owned CLR type lives in the API, read from the operator's own kind table.
    private static readonly Dictionary<Type, (string ApiVersion, string Plural)> Kinds = typeof(OwnedKinds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => f.GetValue(null)!)
        .ToDictionary(
            k => k.GetType().GetGenericArguments()[0],
            k => ((string)k.GetType().GetProperty(nameof(OwnedKind<V1ConfigMap>.ApiVersion))!.GetValue(k)!,
                  (string)k.GetType().GetProperty(nameof(OwnedKind<V1ConfigMap>.Plural))!.GetValue(k)!));

    private readonly HttpClient _http = new();
    private FakeCluster _c = null!;
    private PipelineReconciler _reconciler = null!;
    private OperatorOptions _options = null!;

    public async Task InitializeAsync()
    {
        _c = await FakeCluster.StartAsync();
        _options = FakeCluster.Options("reconciler") with { Resync = TimeSpan.FromMinutes(7) };
        _reconciler = NewReconciler(_c.Client(Token));
    }

    public async Task DisposeAsync()
    {
        await _c.DisposeAsync();
        _http.Dispose();
    }

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private PipelineReconciler NewReconciler(IKubernetes client, OperatorOptions? options = null) => new(
        client,
        new HttpLagReader(client, _http, _ => _c.Server.Url),
        new LagHistory(),
        options ?? _options,
        // A fixed clock: status carries the lag's observation time to the second, so two
        // reconciles either side of a second boundary would differ on the real clock.
        _clock,
        new OperatorMetrics(_c.NewMeterFactory()),
        NullLogger.Instance);

    [Fact]
    public async Task Reconcile_applies_every_object_its_builders_return_and_nothing_else()
    {
        var spec = FakeCluster.Pipeline();
        spec["spec"]!["ingestion"] = JsonNode.Parse("""{"ingress":{"enabled":true,"host":"events.example.com"}}""");
        await _c.CreatePipelineAsync(spec);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var p = await ReadPipelineAsync();
        // No ServiceMonitor CRD on this server.
        var observed = new ObservedState(false);
        var expected = PipelineSteps.All.Select(s => s.Build(p, observed)).OfType<IKubernetesObject<V1ObjectMeta>>().ToList();
        Assert.Contains(expected, o => o is V1Ingress);
        foreach (var desired in expected)
        {
            var (apiVersion, plural) = Kinds[desired.GetType()];
            var live = _c.Server.Get(apiVersion, plural, Ns, desired.Metadata.Name);
            Assert.True(live is not null, $"{plural}/{desired.Metadata.Name} was applied");
            Assert.Equal(apiVersion, (string?)live["apiVersion"]);
            Assert.Equal(p.Uid, (string?)live["metadata"]!["ownerReferences"]![0]!["uid"]);
            Assert.Contains(OperatorOptions.DefaultFieldManager, _c.Server.Managers(apiVersion, plural, Ns, desired.Metadata.Name).Keys);
            // What the builder returned is what the server holds, field for field (the fake server adds no defaults).
            var want = JsonNode.Parse(KubernetesJson.Serialize(desired))!.AsObject();
            foreach (var (field, value) in want.Where(f => f.Key is not ("metadata" or "status" or "apiVersion" or "kind")))
            {
                var held = live[field];
                if (desired is V1StatefulSet && field == "spec")
                {
                    // The apply never sends replicas: the reconcile sets them through the scale
                    // subresource, so the server holds them beside what the builder returned.
                    Assert.Equal(1L, (long?)held!["replicas"]);
                    var copy = held.DeepClone().AsObject();
                    copy.Remove("replicas");
                    held = copy;
                }
                Assert.True(JsonNode.DeepEquals(value, held), $"{plural}/{desired.Metadata.Name}: .{field} is as built");
            }
            Assert.True(JsonNode.DeepEquals(want["metadata"]!["labels"], live["metadata"]!["labels"]), $"{plural}/{desired.Metadata.Name}: labels are as built");
        }
        var owned = Kinds.Values.Distinct()
            .SelectMany(k => _c.Server.List(k.ApiVersion, k.Plural, Ns))
            .Count(o => o["metadata"]?["ownerReferences"]?.AsArray().Any(r => (string?)r?["uid"] == p.Uid) == true);
        Assert.Equal(expected.Count, owned);
    }

    [Fact]
    public async Task Reconcile_twice_changes_nothing_the_second_time()
    {
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        var before = Versions();

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(before, Versions());
    }

    [Fact]
    public async Task Reconcile_deletes_the_ingress_once_the_spec_turns_it_off_and_leaves_a_foreign_one_alone()
    {
        var spec = FakeCluster.Pipeline();
        spec["spec"]!["ingestion"] = JsonNode.Parse("""{"ingress":{"enabled":true,"host":"events.example.com"}}""");
        await _c.CreatePipelineAsync(spec);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        Assert.NotNull(_c.Server.Get("networking.k8s.io/v1", "ingresses", Ns, "p"));

        await _c.PatchPipelineAsync("""{"spec":{"ingestion":{"ingress":{"enabled":false}}}}""");
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        Assert.Null(_c.Server.Get("networking.k8s.io/v1", "ingresses", Ns, "p"));

        // Someone else's Ingress of the same name is not the pipeline's to delete.
        await _c.Admin.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = Ns } }, Ns);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        Assert.NotNull(_c.Server.Get("networking.k8s.io/v1", "ingresses", Ns, "p"));
    }

    [Fact]
    public async Task Reconcile_deletes_the_service_monitor_once_monitoring_is_turned_off()
    {
        await _c.Admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "servicemonitors.monitoring.coreos.com" },
        });
        var spec = FakeCluster.Pipeline();
        spec["spec"]!["monitoring"] = JsonNode.Parse("""{"serviceMonitor":true}""");
        await _c.CreatePipelineAsync(spec);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        Assert.NotNull(_c.Server.Get("monitoring.coreos.com/v1", "servicemonitors", Ns, Names.ServiceMonitor(await ReadPipelineAsync())));

        await _c.PatchPipelineAsync("""{"spec":{"monitoring":{"serviceMonitor":false}}}""");
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Empty(_c.Server.List("monitoring.coreos.com/v1", "servicemonitors", Ns));
        Assert.Contains(("monitoring.coreos.com", "servicemonitors", "delete"), _c.Server.AccessOf(Token));
    }

    [Fact]
    public async Task Reconcile_writes_status_through_the_status_subresource_only()
    {
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        var specBefore = _c.PipelineObject()!["spec"]!.DeepClone();

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var pipeline = _c.PipelineObject()!;
        Assert.Equal(1, FakeCluster.Long(pipeline["status"]!["observedGeneration"]));
        Assert.Equal("True", (string?)_c.Condition(Conditions.Ready)?["status"]);
        // A status write is not a spec change: the generation stays.
        Assert.Equal(1, FakeCluster.Long(pipeline["metadata"]!["generation"]));
        Assert.True(JsonNode.DeepEquals(specBefore, pipeline["spec"]));
        var access = _c.Server.AccessOf(Token).Where(a => a.Group == EventPipeline.Group).ToHashSet();
        Assert.Contains((EventPipeline.Group, "eventpipelines/status", "patch"), access);
        Assert.DoesNotContain(access, a => a.Resource == EventPipeline.Plural && a.Verb is "patch" or "update");
    }

    [Fact]
    public async Task Reconcile_reports_a_failed_apply_in_status_naming_the_step_and_throws_for_a_retry()
    {
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());
        _c.Server.FailNext("PATCH", "configmaps", 1, 500);

        var error = await Record.ExceptionAsync(() => _reconciler.ReconcileAsync(Key, CancellationToken.None));

        Assert.IsType<HttpOperationException>(error);
        var degraded = _c.Condition(Conditions.Degraded)!;
        Assert.Equal("True", (string?)degraded["status"]);
        Assert.Equal(Conditions.ReasonApplyFailed, (string?)degraded["reason"]);
        Assert.StartsWith("configuration:", (string?)degraded["message"], StringComparison.Ordinal);
        Assert.Empty(_c.Server.List("v1", "configmaps", Ns));
    }

    [Fact]
    public async Task Reconcile_in_lag_mode_requeues_on_the_lag_poll_interval()
    {
        await _c.CreatePipelineAsync(FakeCluster.Pipeline());

        var result = await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(_options.LagPollInterval, result.RequeueAfter);
    }

    [Fact]
    public async Task Reconcile_without_lag_scaling_requeues_soon_while_rolling_out_and_on_the_resync_period_once_ready()
    {
        var spec = FakeCluster.Pipeline();
        spec["spec"]!["processor"]!["autoscaling"]!["mode"] = AutoscalingModes.Off;
        spec["spec"]!["processor"]!["autoscaling"]!["pollIntervalSeconds"] = 9;
        await _c.CreatePipelineAsync(spec);
        var reconciler = NewReconciler(_c.Client(Token), _options with { LagPollInterval = null });
        _c.Server.DeploymentsBecomeAvailable = false;

        var rolling = await reconciler.ReconcileAsync(Key, CancellationToken.None);
        _c.Server.MarkDeploymentsAvailable();
        var ready = await reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(9), rolling.RequeueAfter);
        Assert.Equal(TimeSpan.FromMinutes(7), ready.RequeueAfter);
    }

    [Fact]
    public async Task Reconcile_of_a_pipeline_that_is_gone_is_done_without_a_requeue()
    {
        var result = await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Null(result.RequeueAfter);
    }

    [Fact]
    public async Task Reconcile_of_an_invalid_spec_writes_the_reason_applies_nothing_and_does_not_requeue()
    {
        var spec = FakeCluster.Pipeline();
        spec["spec"]!["processor"]!["minReplicas"] = 5;
        spec["spec"]!["processor"]!["maxReplicas"] = 2;
        await _c.CreatePipelineAsync(spec);

        var result = await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Null(result.RequeueAfter);
        Assert.Equal(Conditions.ReasonInvalidSpec, (string?)_c.Condition(Conditions.Ready)?["reason"]);
        Assert.Empty(_c.Server.List("v1", "configmaps", Ns));
    }

    private Task<EventPipeline> ReadPipelineAsync() =>
        _c.Admin.CustomObjects.GetNamespacedCustomObjectAsync<EventPipeline>(EventPipeline.Group, EventPipeline.Version, Ns, EventPipeline.Plural, "p");

    /// <summary>The resourceVersion of the pipeline and of every object in the namespace.</summary>
    private SortedDictionary<string, string?> Versions()
    {
        var versions = new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["eventpipelines/p"] = (string?)_c.PipelineObject()!["metadata"]!["resourceVersion"],
        };
        foreach (var (apiVersion, plural) in Kinds.Values.Distinct())
        {
            foreach (var o in _c.Server.List(apiVersion, plural, Ns))
            {
                versions[$"{plural}/{o["metadata"]!["name"]}"] = (string?)o["metadata"]!["resourceVersion"];
            }
        }
        return versions;
    }
}
