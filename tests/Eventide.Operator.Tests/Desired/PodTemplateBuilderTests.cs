using Eventide.Operator.Desired;

namespace Eventide.Operator.Tests.Desired;

public class PodTemplateBuilderTests
{
    [Fact]
    public void SeedNodes_are_at_most_three_and_never_beyond_the_minimum()
    {
        Assert.Equal(3, PodTemplateBuilder.SeedNodes(Pipelines.Build(s => s.Processor.MinReplicas = 10)).Count);
        Assert.Single(PodTemplateBuilder.SeedNodes(Pipelines.Build(s => s.Processor.MinReplicas = 0)));
        Assert.StartsWith("akka.tcp://eventide@p-processor-0.", PodTemplateBuilder.SeedNodes(Pipelines.Build(s => s.Processor.MinReplicas = 2))[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_carries_the_config_hash_and_scrape_annotations_for_every_role()
    {
        foreach (var role in DataPlaneRole.All)
        {
            var t = PodTemplateBuilder.Build(Pipelines.Build(), role);
            Assert.Equal(ConfigMapBuilder.Hash(Pipelines.Build()), t.Metadata.Annotations[PodTemplateBuilder.ConfigHashAnnotation]);
            Assert.Equal("8080", t.Metadata.Annotations["prometheus.io/port"]);
            Assert.Equal(role.Name, t.Metadata.Labels[Labels.Component]);
        }
    }

    [Fact]
    public void Build_opens_the_remoting_port_only_on_processors()
    {
        foreach (var role in DataPlaneRole.All)
        {
            var ports = PodTemplateBuilder.Build(Pipelines.Build(), role).Spec.Containers.Single().Ports.Select(p => p.Name).ToList();
            Assert.Equal(role == DataPlaneRole.Processor, ports.Contains("remoting"));
            Assert.Equal(role == DataPlaneRole.Ingestion, ports.Contains("grpc"));
        }
    }
}
