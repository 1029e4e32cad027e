namespace Eventide.Operator.Kubernetes.Models;

/// <summary>One KEDA trigger: a scaler type, its metadata, and where its credentials come from.</summary>
public sealed class ScaleTrigger
{
    public string? Type { get; set; }

    public IDictionary<string, string>? Metadata { get; set; }

    public TriggerAuthenticationRef? AuthenticationRef { get; set; }
}
