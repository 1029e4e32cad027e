namespace Eventide.Operator.Resources;

public sealed class IngestionSpec
{
    /// <summary>Replicas, and the CPU autoscaler's minimum when <see cref="MaxReplicas"/> is larger.</summary>
    public int Replicas { get; set; } = 2;

    /// <summary>Upper bound of the CPU HorizontalPodAutoscaler; equal to replicas disables it.</summary>
    public int MaxReplicas { get; set; } = 4;

    public int TargetCpuUtilizationPercentage { get; set; } = 70;

    public ResourceRequirements? Resources { get; set; }

    public RateLimitSpec RateLimit { get; set; } = new();

    public IngressSpec Ingress { get; set; } = new();

    public GrpcSpec Grpc { get; set; } = new();
}
