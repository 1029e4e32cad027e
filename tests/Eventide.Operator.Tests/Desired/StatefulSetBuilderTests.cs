using Eventide.Operator.Desired;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class StatefulSetBuilderTests
{
    private static V1Container Container(V1StatefulSet s) => s.Spec.Template.Spec.Containers.Single();

    private static string Env(V1Container c, string name) => c.Env.Single(e => e.Name == name).Value;

    [Fact]
    public void Build_names_the_set_after_the_processor_and_governs_it_by_the_headless_service()
    {
        var s = StatefulSetBuilder.Build(Pipelines.Build());
        Assert.Equal("p-processor", s.Metadata.Name);
        Assert.Equal("p-processor-headless", s.Spec.ServiceName);
        Assert.Equal("Parallel", s.Spec.PodManagementPolicy);
        Assert.Equal("processor", s.Spec.Selector.MatchLabels[Labels.Component]);
        Assert.Equal(["run", "--roles", "processor", "--listen", "http://0.0.0.0:8080"], Container(s).Args);
    }

    [Fact]
    public void Build_leaves_the_replica_count_to_the_scale_subresource()
    {
        Assert.Null(StatefulSetBuilder.Build(Pipelines.Build(ps => ps.Processor.MinReplicas = 4)).Spec.Replicas);
    }

    [Fact]
    public void Build_advertises_the_pods_stable_name_and_binds_every_address()
    {
        var c = Container(StatefulSetBuilder.Build(Pipelines.Build()));
        Assert.Equal("metadata.name", c.Env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        // POD_NAME must come before its use: Kubernetes expands $(VAR) only from variables defined earlier.
        Assert.True(c.Env.ToList().FindIndex(e => e.Name == "POD_NAME") < c.Env.ToList().FindIndex(e => e.Name == "Eventide__Cluster__Hostname"));
        Assert.Equal("$(POD_NAME).p-processor-headless.ns.svc.cluster.local", Env(c, "Eventide__Cluster__Hostname"));
        Assert.Equal("0.0.0.0", Env(c, "Eventide__Cluster__BindHostname"));
        Assert.Equal("4053", Env(c, "Eventide__Cluster__Port"));
        Assert.Equal(4053, c.Ports.Single(port => port.Name == "remoting").ContainerPort);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(7, 3)]
    public void Build_seeds_from_the_first_pods_pod_zero_first(int minReplicas, int seeds)
    {
        var c = Container(StatefulSetBuilder.Build(Pipelines.Build(s => s.Processor.MinReplicas = minReplicas)));
        var expected = Enumerable.Range(0, seeds).Select(i => $"akka.tcp://eventide@p-processor-{i}.p-processor-headless.ns.svc.cluster.local:4053");
        Assert.Equal(string.Join(',', expected), Env(c, "Eventide__Cluster__SeedNodes"));
    }

    [Fact]
    public void Build_mounts_the_tls_secret_read_only_and_turns_tls_on()
    {
        var s = StatefulSetBuilder.Build(Pipelines.Build(ps => ps.Processor.Cluster.Tls.SecretName = "cluster-certs"));
        var c = Container(s);
        var volume = s.Spec.Template.Spec.Volumes.Single(v => v.Name == PodTemplateBuilder.ClusterTlsVolume);
        Assert.Equal("cluster-certs", volume.Secret.SecretName);
        var mount = c.VolumeMounts.Single(m => m.Name == PodTemplateBuilder.ClusterTlsVolume);
        Assert.Equal("/etc/eventide/cluster-tls", mount.MountPath);
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("true", Env(c, "Eventide__Cluster__Tls__Enabled"));
    }

    [Fact]
    public void Build_without_tls_mounts_no_certificates()
    {
        var s = StatefulSetBuilder.Build(Pipelines.Build());
        Assert.DoesNotContain(s.Spec.Template.Spec.Volumes, v => v.Name == PodTemplateBuilder.ClusterTlsVolume);
        Assert.DoesNotContain(Container(s).Env, e => e.Name.StartsWith("Eventide__Cluster__Tls", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_gives_cluster_join_time_before_liveness_and_reads_readiness_from_readyz()
    {
        var c = Container(StatefulSetBuilder.Build(Pipelines.Build()));
        Assert.Equal("/readyz", c.ReadinessProbe.HttpGet.Path);
        Assert.NotNull(c.StartupProbe);
        Assert.True(c.StartupProbe.PeriodSeconds * c.StartupProbe.FailureThreshold >= 60);
        Assert.Equal(60, StatefulSetBuilder.Build(Pipelines.Build()).Spec.Template.Spec.TerminationGracePeriodSeconds);
    }
}
