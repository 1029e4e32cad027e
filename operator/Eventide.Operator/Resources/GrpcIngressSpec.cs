namespace Eventide.Operator.Resources;

/// <summary>
/// A separate Ingress for gRPC: the ingress controller must speak HTTP/2 to
/// the backend, which needs an annotation on the whole Ingress, so it cannot
/// share the HTTP Ingress.
/// </summary>
public sealed class GrpcIngressSpec
{
    public bool Enabled { get; set; }

    public string? ClassName { get; set; }

    public string? Host { get; set; }

    /// <summary>Secret with the TLS certificate for <see cref="Host"/>; no TLS when absent.</summary>
    public string? TlsSecretName { get; set; }

    /// <summary>Extra annotations, e.g. for an ingress controller other than ingress-nginx.</summary>
    public Dictionary<string, string>? Annotations { get; set; }
}
