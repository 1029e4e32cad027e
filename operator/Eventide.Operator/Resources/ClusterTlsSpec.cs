namespace Eventide.Operator.Resources;

/// <summary>Akka.Remote over TLS between processor members (<c>spec.processor.cluster.tls</c>).</summary>
public sealed class ClusterTlsSpec
{
    /// <summary>
    /// A Secret of type <c>kubernetes.io/tls</c> with <c>tls.crt</c>, <c>tls.key</c> and <c>ca.crt</c>;
    /// mounted into every processor pod, which then refuses peers whose certificate that authority did not issue.
    /// Absent means remoting in the clear.
    /// </summary>
    public string? SecretName { get; set; }
}
