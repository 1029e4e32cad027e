using k8s.Models;

namespace Eventide.Operator.Kubernetes.Models;

public sealed class HorizontalPodAutoscalerConfig
{
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}
