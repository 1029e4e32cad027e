using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Eventide.Core;
using Microsoft.Extensions.Logging;

namespace Eventide.Processor.Cluster;

/// <summary>
/// Mutual TLS between processor members. The member presents the certificate
/// of <see cref="ClusterTlsOptions.CertificatePath"/> on every remoting
/// connection, in and out, and accepts a peer only when the peer's
/// certificate chains to an authority of <see cref="ClusterTlsOptions.CaPath"/>:
/// the chain is built against that file alone (a custom root trust), never
/// the machine's trust store, so a certificate from a public or another
/// private authority is refused. Host names are not checked: members reach
/// each other by pod DNS names and addresses, and holding a certificate the
/// authority issued is what makes a member.
/// </summary>
public sealed class ClusterTls
{
    private readonly X509Certificate2Collection _authority;

    private ClusterTls(X509Certificate2 certificate, X509Certificate2Collection authority)
    {
        Certificate = certificate;
        _authority = authority;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Loads and checks the PEM files; throws <see cref="ClusterTlsException"/> with a one-line reason.</summary>
    public static ClusterTls Load(ClusterTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (setting, path) in new[] { ("CertificatePath", options.CertificatePath), ("KeyPath", options.KeyPath), ("CaPath", options.CaPath) })
        {
            if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            {
                throw new ClusterTlsException($"Eventide:Cluster:Tls:{setting}: file '{path}' does not exist (TLS is enabled)");
            }
        }
        var authority = new X509Certificate2Collection();
        try
        {
            authority.ImportFromPemFile(options.CaPath);
        }
        catch (CryptographicException ex)
        {
            throw new ClusterTlsException($"Eventide:Cluster:Tls:CaPath: '{options.CaPath}' is not a PEM certificate: {ex.Message}", ex);
        }
        if (authority.Count == 0)
        {
            throw new ClusterTlsException($"Eventide:Cluster:Tls:CaPath: '{options.CaPath}' holds no PEM certificate");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
        }
        // A key of another certificate fails with ArgumentException; unreadable PEM with CryptographicException.
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new ClusterTlsException(
                $"Eventide:Cluster:Tls: the key '{options.KeyPath}' does not match the certificate '{options.CertificatePath}', or one of them is not PEM: {ex.Message}", ex);
        }
        var tls = new ClusterTls(certificate, authority);
        // A member whose own certificate its authority did not issue is refused by every peer: say so now.
        if (tls.ChainProblem(certificate, null) is { } problem)
        {
            throw new ClusterTlsException(
                $"Eventide:Cluster:Tls: the certificate '{options.CertificatePath}' is not issued by the authority in '{options.CaPath}' ({problem})");
        }
        return tls;
    }

    /// <summary>Why <paramref name="certificate"/> does not chain to the authority, or null when it does.</summary>
    public string? ChainProblem(X509Certificate2 certificate, X509Chain? presented)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authority);
        // The authority is ours and short-lived certificates are rotated by re-issuing; there is no CRL to ask.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // Intermediates the peer sent; trust still has to end at the authority.
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        if (chain.Build(certificate))
        {
            return null;
        }
        var statuses = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
        return string.Join(", ", statuses);
    }

    /// <summary>The validation Akka.Remote calls on both sides of every handshake; refusals are logged and counted.</summary>
    /// The policy errors Akka passes come from the machine's trust store and the host name; the check
    /// against the cluster's own authority replaces both.
    internal Akka.Remote.Transport.DotNetty.CertificateValidationCallback Validator(ClusterMetrics metrics, ILogger logger) =>
        (X509Certificate2? certificate, X509Chain? chain, string peer, SslPolicyErrors _, ILoggingAdapter _) =>
        {
            var problem = certificate is null ? "it presented no certificate" : ChainProblem(certificate, chain) is { } p
                ? $"its certificate '{certificate.Subject}' is not issued by the cluster's authority ({p})"
                : null;
            if (problem is null)
            {
                return true;
            }
            metrics.RecordRefusedPeer();
            Log.PeerRefused(logger, peer, problem);
            return false;
        };
}
