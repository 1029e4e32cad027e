using Eventide.Operator.Autoscaling;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Tests.Autoscaling;

public class ProcessorReplicasTests
{
    private static EventPipelineSpec Spec(int shards, int min, int max) => new() { Shards = shards, Processor = new ProcessorSpec { MinReplicas = min, MaxReplicas = max } };

    [Fact]
    public void Ceiling_is_the_shard_count_when_there_are_fewer_shards_than_max_replicas()
    {
        Assert.Equal(3, ProcessorReplicas.Ceiling(Spec(shards: 3, min: 1, max: 6)));
    }

    [Fact]
    public void Ceiling_is_max_replicas_when_there_are_more_shards()
    {
        Assert.Equal(5, ProcessorReplicas.Ceiling(Spec(shards: 64, min: 1, max: 5)));
    }

    [Fact]
    public void Floor_is_min_replicas_capped_by_the_ceiling()
    {
        Assert.Equal(2, ProcessorReplicas.Floor(Spec(shards: 64, min: 2, max: 5)));
        Assert.Equal(3, ProcessorReplicas.Floor(Spec(shards: 3, min: 4, max: 6)));
    }
}
