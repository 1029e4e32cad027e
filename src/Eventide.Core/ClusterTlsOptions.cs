namespace Eventide.Core;

/// <summary>
/// Akka.Remote over TLS (<c>Eventide:Cluster:Tls:*</c>). The files are PEM, laid out as a
/// <c>kubernetes.io/tls</c> Secret with a <c>ca.crt</c> key mounts them: members present
/// their certificate and refuse peers whose certificate the authority did not issue.
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string DefaultDirectory = "/etc/eventide/cluster-tls";

    public bool Enabled { get; set; }

    /// <summary>This member's certificate chain (PEM).</summary>
    public string CertificatePath { get; set; } = DefaultDirectory + "/tls.crt";

    /// <summary>The private key of <see cref="CertificatePath"/> (PEM).</summary>
    public string KeyPath { get; set; } = DefaultDirectory + "/tls.key";

    /// <summary>The authority whose certificates peers must present (PEM).</summary>
    public string CaPath { get; set; } = DefaultDirectory + "/ca.crt";
}
