namespace Eventide.Operator.Kubernetes.Models;

/// <summary>A trigger parameter read from a Secret key.</summary>
public sealed class SecretTargetRef
{
    public string? Parameter { get; set; }

    public string? Name { get; set; }

    public string? Key { get; set; }
}
