namespace Eventide.Operator.Kubernetes.Models;

public sealed class TriggerAuthenticationSpec
{
    public IList<SecretTargetRef>? SecretTargetRef { get; set; }
}
