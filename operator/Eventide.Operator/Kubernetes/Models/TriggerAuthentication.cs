namespace Eventide.Operator.Kubernetes.Models;

/// <summary>keda.sh/v1alpha1 TriggerAuthentication.</summary>
public sealed class TriggerAuthentication : CustomObject<TriggerAuthenticationSpec>
{
    public TriggerAuthentication()
    {
        ApiVersion = "keda.sh/v1alpha1";
        Kind = "TriggerAuthentication";
    }
}
