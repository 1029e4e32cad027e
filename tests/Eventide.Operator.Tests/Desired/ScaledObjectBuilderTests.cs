using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class ScaledObjectBuilderTests
{
    private static EventPipeline Keda(int shards, int max) =>
        Pipelines.Build(s => { s.Shards = shards; s.Processor.MaxReplicas = max; s.Processor.Autoscaling.Mode = AutoscalingModes.Keda; });

    [Fact]
    public void Build_caps_replicas_at_shards_when_there_are_fewer_shards_than_max_replicas()
    {
        Assert.Equal(3, ScaledObjectBuilder.Build(Keda(shards: 3, max: 6))!.Spec.MaxReplicaCount);
    }

    [Fact]
    public void Build_caps_replicas_at_max_replicas_when_there_are_more_shards()
    {
        Assert.Equal(5, ScaledObjectBuilder.Build(Keda(shards: 64, max: 5))!.Spec.MaxReplicaCount);
    }

    [Fact]
    public void Build_polls_the_inbox_lag_query()
    {
        var so = ScaledObjectBuilder.Build(Keda(8, 4))!;
        Assert.Equal(ScaledObjectBuilder.LagQuery, so.Spec.Triggers!.Single().Metadata!["query"]);
        Assert.Equal("p-processor", so.Spec.ScaleTargetRef!.Name);
    }

    [Fact]
    public void Build_returns_null_unless_in_keda_mode()
    {
        Assert.Null(ScaledObjectBuilder.Build(Pipelines.Build()));
    }
}
