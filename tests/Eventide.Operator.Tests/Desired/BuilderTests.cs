using System.Text.Json.Nodes;
using Eventide.Operator.Desired;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Tests.Desired;

public class BuilderTests
{
    private static EventPipeline Pipeline(Action<EventPipelineSpec>? edit = null)
    {
        var p = new EventPipeline
        {
            Metadata = new JsonObject { ["name"] = "p", ["namespace"] = "ns", ["uid"] = "uid-1", ["generation"] = 3 },
            Spec = new EventPipelineSpec
            {
                Image = "eventide:1",
                Database = new DatabaseSpec { SecretRef = new DatabaseSecretRef { Name = "db" } },
                AdminTokenSecretRef = new AdminTokenSecretRef { Name = "admin" },
            },
        };
        edit?.Invoke(p.Spec);
        return p;
    }

    private static JsonNode Container(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;

    [Fact]
    public void Build_of_deployment_runs_the_role_from_the_one_image()
    {
        foreach (var role in Role.All)
        {
            var c = Container(DeploymentBuilder.Build(Pipeline(), role, ObservedState.Initial));
            Assert.Equal("eventide:1", (string?)c["image"]);
            Assert.Equal(["run", "--roles", role.Name, "--listen", "http://0.0.0.0:8080"], c["args"]!.AsArray().Select(a => (string?)a));
        }
    }

    [Fact]
    public void Build_of_deployment_probes_readyz_and_healthz_and_requests_resources()
    {
        var c = Container(DeploymentBuilder.Build(Pipeline(), Role.Processor, ObservedState.Initial));
        Assert.Equal("/readyz", (string?)c["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/healthz", (string?)c["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("500m", (string?)c["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(c["resources"]!["requests"]!["memory"]);
    }

    [Fact]
    public void Build_of_deployment_runs_non_root_with_a_read_only_root_file_system()
    {
        var d = DeploymentBuilder.Build(Pipeline(), Role.Query, ObservedState.Initial);
        var c = Container(d);
        Assert.True((bool)c["securityContext"]!["readOnlyRootFilesystem"]!);
        Assert.False((bool)c["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.True((bool)d["spec"]!["template"]!["spec"]!["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal("true", (string?)d["spec"]!["template"]!["metadata"]!["annotations"]!["prometheus.io/scrape"]);
    }

    [Fact]
    public void Build_of_deployment_takes_secrets_from_secret_refs_and_the_rest_from_the_config_map()
    {
        var c = Container(DeploymentBuilder.Build(Pipeline(), Role.Ingestion, ObservedState.Initial));
        var env = c["env"]!.AsArray();
        var db = env.Single(e => (string?)e!["name"] == "Eventide__Database__ConnectionString")!;
        Assert.Equal("db", (string?)db["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.Equal("connectionString", (string?)db["valueFrom"]!["secretKeyRef"]!["key"]);
        var token = env.Single(e => (string?)e!["name"] == "Eventide__Admin__Token")!;
        Assert.Equal("token", (string?)token["valueFrom"]!["secretKeyRef"]!["key"]);
        Assert.Equal("p-config", (string?)c["envFrom"]![0]!["configMapRef"]!["name"]);
        var data = ConfigMapBuilder.Build(Pipeline())["data"]!;
        Assert.Equal("required", (string?)data["Eventide__Database__Timescale"]);
        Assert.Equal("64", (string?)data["Eventide__Shards"]);
    }

    [Fact]
    public void Build_of_deployment_changes_the_template_when_configuration_changes()
    {
        static string? Hash(EventPipeline p) => (string?)DeploymentBuilder.Build(p, Role.Processor, ObservedState.Initial)["spec"]!["template"]!["metadata"]!["annotations"]![DeploymentBuilder.ConfigHashAnnotation];
        Assert.Equal(Hash(Pipeline()), Hash(Pipeline()));
        Assert.NotEqual(Hash(Pipeline()), Hash(Pipeline(s => s.Processor.BatchSize = 5)));
    }

    [Fact]
    public void Build_of_every_object_sets_owner_reference_to_the_pipeline()
    {
        foreach (var o in DesiredObjects.Build(Pipeline(), ObservedState.Initial))
        {
            var owner = o["metadata"]!["ownerReferences"]![0]!;
            Assert.Equal("uid-1", (string?)owner["uid"]);
            Assert.True((bool)owner["controller"]!);
        }
    }

    [Fact]
    public void Build_of_objects_leaves_out_owner_references_without_a_uid()
    {
        var p = Pipeline();
        p.Metadata.Remove("uid");
        Assert.All(DesiredObjects.Build(p, ObservedState.Initial), o => Assert.Null(o["metadata"]!["ownerReferences"]));
    }

    [Fact]
    public void Replicas_of_processor_follow_the_autoscaler_within_min_max_and_shards()
    {
        var p = Pipeline(s => { s.Shards = 6; s.Processor.MaxReplicas = 6; s.Processor.MinReplicas = 2; });
        Assert.Equal(2, DeploymentBuilder.Replicas(p, Role.Processor, ObservedState.Initial));
        Assert.Equal(5, DeploymentBuilder.Replicas(p, Role.Processor, new ObservedState(5, false)));
        Assert.Equal(6, DeploymentBuilder.Replicas(p, Role.Processor, new ObservedState(50, false)));
        Assert.Equal(2, DeploymentBuilder.Replicas(p, Role.Processor, new ObservedState(0, false)));
    }

    [Fact]
    public void Replicas_are_left_to_the_autoscaler_when_one_owns_them()
    {
        var keda = Pipeline(s => s.Processor.Autoscaling.Mode = AutoscalingModes.Keda);
        Assert.Null(DeploymentBuilder.Build(keda, Role.Processor, ObservedState.Initial)["spec"]!["replicas"]);
        Assert.Null(DeploymentBuilder.Build(Pipeline(), Role.Ingestion, ObservedState.Initial)["spec"]!["replicas"]);
        var fixedQuery = Pipeline(s => s.Query.MaxReplicas = s.Query.Replicas);
        Assert.Equal(2, (int?)DeploymentBuilder.Build(fixedQuery, Role.Query, ObservedState.Initial)["spec"]!["replicas"]);
    }

    [Fact]
    public void Replicas_of_processor_with_autoscaling_off_are_the_minimum()
    {
        var p = Pipeline(s => { s.Processor.Autoscaling.Mode = AutoscalingModes.Off; s.Processor.MinReplicas = 3; });
        Assert.Equal(3, DeploymentBuilder.Replicas(p, Role.Processor, new ObservedState(7, false)));
    }

    [Fact]
    public void Build_returns_null_when_ingress_disabled()
    {
        Assert.Null(IngressBuilder.Build(Pipeline()));
    }

    [Fact]
    public void Build_of_ingress_routes_events_to_ingestion_and_the_rest_to_query()
    {
        var ingress = IngressBuilder.Build(Pipeline(s => s.Ingestion.Ingress = new IngressSpec { Enabled = true, Host = "e.example.com", TlsSecretName = "tls" }))!;
        var paths = ingress["spec"]!["rules"]![0]!["http"]!["paths"]!.AsArray();
        Assert.Equal("p-ingestion", (string?)paths.Single(x => (string?)x!["path"] == "/v1/events")!["backend"]!["service"]!["name"]);
        Assert.Equal("p-query", (string?)paths.Single(x => (string?)x!["path"] == "/")!["backend"]!["service"]!["name"]);
        Assert.Equal("tls", (string?)ingress["spec"]!["tls"]![0]!["secretName"]);
    }

    [Fact]
    public void Build_returns_null_for_processor_hpa_and_when_max_equals_replicas()
    {
        Assert.Null(HorizontalPodAutoscalerBuilder.Build(Pipeline(), Role.Processor));
        Assert.Null(HorizontalPodAutoscalerBuilder.Build(Pipeline(s => s.Ingestion.MaxReplicas = s.Ingestion.Replicas), Role.Ingestion));
        var hpa = HorizontalPodAutoscalerBuilder.Build(Pipeline(), Role.Query)!;
        Assert.Equal("cpu", (string?)hpa["spec"]!["metrics"]![0]!["resource"]!["name"]);
        Assert.Equal(2, (int?)hpa["spec"]!["minReplicas"]);
    }

    [Fact]
    public void Build_returns_null_for_service_monitor_unless_wanted_and_its_crd_exists()
    {
        Assert.Null(ServiceMonitorBuilder.Build(Pipeline(), new ObservedState(null, true)));
        Assert.Null(ServiceMonitorBuilder.Build(Pipeline(s => s.Monitoring.ServiceMonitor = true), new ObservedState(null, false)));
        Assert.NotNull(ServiceMonitorBuilder.Build(Pipeline(s => s.Monitoring.ServiceMonitor = true), new ObservedState(null, true)));
    }

    [Fact]
    public void Build_of_scaled_object_caps_replicas_at_shards_and_uses_the_lag_query()
    {
        var p = Pipeline(s => { s.Shards = 4; s.Processor.MaxReplicas = 4; s.Processor.Autoscaling.Mode = AutoscalingModes.Keda; });
        var so = ScaledObjectBuilder.Build(p)!;
        Assert.Equal(4, (int?)so["spec"]!["maxReplicaCount"]);
        Assert.Equal(ScaledObjectBuilder.LagQuery, (string?)so["spec"]!["triggers"]![0]!["metadata"]!["query"]);
        Assert.NotNull(TriggerAuthenticationBuilder.Build(p));
        Assert.Null(ScaledObjectBuilder.Build(Pipeline()));
        Assert.Null(TriggerAuthenticationBuilder.Build(Pipeline()));
    }

    [Fact]
    public void Build_of_pod_disruption_budget_lets_one_pod_go_at_a_time()
    {
        var pdb = PodDisruptionBudgetBuilder.Build(Pipeline(), Role.Processor);
        Assert.Equal(1, (int?)pdb["spec"]!["maxUnavailable"]);
        Assert.Equal("processor", (string?)pdb["spec"]!["selector"]!["matchLabels"]![Labels.Component]);
    }
}
