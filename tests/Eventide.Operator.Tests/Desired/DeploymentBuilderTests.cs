using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class DeploymentBuilderTests
{
    private static V1Container Container(V1Deployment d) => d.Spec.Template.Spec.Containers.Single();

    [Fact]
    public void Build_runs_every_role_from_the_one_image()
    {
        foreach (var role in DeploymentBuilder.Roles)
        {
            var c = Container(DeploymentBuilder.Build(Pipelines.Build(), role, ObservedState.Initial));
            Assert.Equal("eventide:1", c.Image);
            Assert.Equal(["run", "--roles", role.Name, "--listen", "http://0.0.0.0:8080"], c.Args);
        }
    }

    [Fact]
    public void Build_probes_readyz_and_healthz_and_requests_resources()
    {
        var c = Container(DeploymentBuilder.Build(Pipelines.Build(), DataPlaneRole.Query, ObservedState.Initial));
        Assert.Equal("/readyz", c.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", c.LivenessProbe.HttpGet.Path);
        Assert.Equal("250m", c.Resources.Requests["cpu"].ToString());
        Assert.True(c.Resources.Requests.ContainsKey("memory"));
    }

    [Fact]
    public void Build_runs_non_root_with_a_read_only_root_file_system()
    {
        var d = DeploymentBuilder.Build(Pipelines.Build(), DataPlaneRole.Query, ObservedState.Initial);
        var c = Container(d);
        Assert.True(c.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(d.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
        Assert.Equal("true", d.Spec.Template.Metadata.Annotations["prometheus.io/scrape"]);
    }

    [Fact]
    public void Build_takes_secrets_from_secret_refs_and_the_rest_from_the_config_map()
    {
        var c = Container(DeploymentBuilder.Build(Pipelines.Build(), DataPlaneRole.Ingestion, ObservedState.Initial));
        var db = c.Env.Single(e => e.Name == "Eventide__Database__ConnectionString");
        Assert.Equal(("db", "connectionString"), (db.ValueFrom.SecretKeyRef.Name, db.ValueFrom.SecretKeyRef.Key));
        Assert.Equal("token", c.Env.Single(e => e.Name == "Eventide__Admin__Token").ValueFrom.SecretKeyRef.Key);
        Assert.Equal("p-config", c.EnvFrom.Single().ConfigMapRef.Name);
    }

    [Fact]
    public void Build_changes_the_template_when_configuration_changes()
    {
        static string Hash(EventPipeline p) => DeploymentBuilder.Build(p, DataPlaneRole.Ingestion, ObservedState.Initial).Spec.Template.Metadata.Annotations[DeploymentBuilder.ConfigHashAnnotation];
        Assert.Equal(Hash(Pipelines.Build()), Hash(Pipelines.Build()));
        Assert.NotEqual(Hash(Pipelines.Build()), Hash(Pipelines.Build(s => s.Processor.BatchSize = 5)));
    }

    [Fact]
    public void Build_refuses_the_processor_which_is_a_stateful_set()
    {
        Assert.Throws<ArgumentException>(() => DeploymentBuilder.Build(Pipelines.Build(), DataPlaneRole.Processor, ObservedState.Initial));
        Assert.DoesNotContain(DataPlaneRole.Processor, DeploymentBuilder.Roles);
    }

    [Fact]
    public void Replicas_are_left_to_the_autoscaler_when_one_owns_them()
    {
        Assert.Null(DeploymentBuilder.Build(Pipelines.Build(), DataPlaneRole.Ingestion, ObservedState.Initial).Spec.Replicas);
        var fixedQuery = Pipelines.Build(s => s.Query.MaxReplicas = s.Query.Replicas);
        Assert.Equal(2, DeploymentBuilder.Build(fixedQuery, DataPlaneRole.Query, ObservedState.Initial).Spec.Replicas);
    }

    [Fact]
    public void Build_gives_ingestion_a_grpc_port_and_no_cluster_settings()
    {
        var c = Container(DeploymentBuilder.Build(Pipelines.Build(), DataPlaneRole.Ingestion, ObservedState.Initial));
        Assert.Equal(8081, c.Ports.Single(port => port.Name == "grpc").ContainerPort);
        Assert.DoesNotContain(c.Ports, port => port.Name == "remoting");
        Assert.DoesNotContain(c.Env, e => e.Name.StartsWith("Eventide__Cluster__", StringComparison.Ordinal));
        var off = Container(DeploymentBuilder.Build(Pipelines.Build(s => s.Ingestion.Grpc.Enabled = false), DataPlaneRole.Ingestion, ObservedState.Initial));
        Assert.DoesNotContain(off.Ports, port => port.Name == "grpc");
    }
}
