namespace Eventide.Operator.Kubernetes.Models;

/// <summary>KEDA's pass-through to the HorizontalPodAutoscaler it creates.</summary>
public sealed class ScaledObjectAdvanced
{
    public HorizontalPodAutoscalerConfig? HorizontalPodAutoscalerConfig { get; set; }
}
