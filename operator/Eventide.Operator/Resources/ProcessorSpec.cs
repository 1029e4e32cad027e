namespace Eventide.Operator.Resources;

public sealed class ProcessorSpec
{
    public int MinReplicas { get; set; } = 1;

    public int MaxReplicas { get; set; } = 8;

    public int BatchSize { get; set; } = 1000;

    public int FlushIntervalMs { get; set; } = 1000;

    public int DedupeWindowHours { get; set; } = 24;

    public ResourceRequirements? Resources { get; set; }

    public LagAutoscalingSpec Autoscaling { get; set; } = new();

    public ClusterSpec Cluster { get; set; } = new();
}
