using System.Security.Cryptography.X509Certificates;

namespace Eventide.Operator.Kubernetes;

/// <summary>How to reach and authenticate to one API server.</summary>
public sealed record ClusterConnection(
    Uri Server,
    X509Certificate2Collection? CertificateAuthority,
    bool InsecureSkipTlsVerify,
    Func<string?>? Token,
    X509Certificate2? ClientCertificate,
    string DefaultNamespace);
