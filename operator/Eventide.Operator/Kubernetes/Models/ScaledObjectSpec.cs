using k8s.Models;

namespace Eventide.Operator.Kubernetes.Models;

public sealed class ScaledObjectSpec
{
    public V2CrossVersionObjectReference? ScaleTargetRef { get; set; }

    public int? PollingInterval { get; set; }

    public int? MinReplicaCount { get; set; }

    public int? MaxReplicaCount { get; set; }

    public ScaledObjectAdvanced? Advanced { get; set; }

    public IList<ScaleTrigger>? Triggers { get; set; }
}
