namespace Eventide.Operator.Resources;

public sealed class QuerySpec
{
    public int Replicas { get; set; } = 2;

    public int MaxReplicas { get; set; } = 4;

    public int TargetCpuUtilizationPercentage { get; set; } = 70;

    public ResourceRequirements? Resources { get; set; }
}
