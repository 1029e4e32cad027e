namespace Eventide.Operator.Kubernetes.Models;

public sealed class TriggerAuthenticationRef
{
    public string? Name { get; set; }
}
