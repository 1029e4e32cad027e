namespace Eventide.Operator.Kubernetes.Models;

/// <summary>keda.sh/v1alpha1 ScaledObject.</summary>
public sealed class ScaledObject : CustomObject<ScaledObjectSpec>
{
    public ScaledObject()
    {
        ApiVersion = "keda.sh/v1alpha1";
        Kind = "ScaledObject";
    }
}
