using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Eventide.Testing;

/// <summary>
/// Certificate authorities and member certificates made in the test with
/// <see cref="CertificateRequest"/> (no openssl), written as the PEM files a
/// <c>kubernetes.io/tls</c> Secret with a <c>ca.crt</c> key mounts.
/// </summary>
public static class TestCertificates
{
    public static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>
    /// Writes tls.crt and tls.key (issued by <paramref name="issuer"/> for 127.0.0.1 and localhost)
    /// and a ca.crt holding <paramref name="trusted"/> into <paramref name="dir"/>; returns the three paths.
    /// </summary>
    public static (string Certificate, string Key, string Authority) Write(string dir, string name, X509Certificate2 issuer, params X509Certificate2[] trusted)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // Server and client authentication: a member is both on its connections.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(12));
        var paths = (Path.Combine(dir, "tls.crt"), Path.Combine(dir, "tls.key"), Path.Combine(dir, "ca.crt"));
        File.WriteAllText(paths.Item1, certificate.ExportCertificatePem());
        File.WriteAllText(paths.Item2, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(paths.Item3, string.Concat(trusted.Select(t => t.ExportCertificatePem() + "\n")));
        return paths;
    }
}
