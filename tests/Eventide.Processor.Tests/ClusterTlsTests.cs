using Eventide.Core;
using Eventide.Processor.Cluster;
using Eventide.Testing;

namespace Eventide.Processor.Tests;

public sealed class ClusterTlsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("eventide-tls-load-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Load_accepts_a_certificate_the_authority_issued_and_refuses_one_of_another_authority()
    {
        using var ca1 = TestCertificates.Authority("CA 1");
        using var ca2 = TestCertificates.Authority("CA 2");
        var tls = ClusterTls.Load(Options(TestCertificates.Write(Dir("member"), "member", ca1, ca1)));
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.Null(tls.ChainProblem(tls.Certificate, null));

        var other = ClusterTls.Load(Options(TestCertificates.Write(Dir("other"), "other", ca2, ca2)));
        Assert.NotNull(tls.ChainProblem(other.Certificate, null));
        Assert.NotNull(other.ChainProblem(tls.Certificate, null));
    }

    [Fact]
    public void Load_names_the_missing_file()
    {
        using var ca = TestCertificates.Authority("CA");
        var paths = TestCertificates.Write(Dir("m"), "m", ca, ca);
        File.Delete(paths.Key);
        var error = Assert.Throws<ClusterTlsException>(() => ClusterTls.Load(Options(paths)));
        Assert.Contains("Eventide:Cluster:Tls:KeyPath", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Load_refuses_a_key_that_does_not_match_the_certificate()
    {
        using var ca = TestCertificates.Authority("CA");
        var first = TestCertificates.Write(Dir("a"), "a", ca, ca);
        var second = TestCertificates.Write(Dir("b"), "b", ca, ca);
        var error = Assert.Throws<ClusterTlsException>(() => ClusterTls.Load(Options((first.Certificate, second.Key, first.Authority))));
        Assert.Contains("does not match the certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_refuses_a_certificate_its_authority_did_not_issue()
    {
        using var ca1 = TestCertificates.Authority("CA 1");
        using var ca2 = TestCertificates.Authority("CA 2");
        var error = Assert.Throws<ClusterTlsException>(() => ClusterTls.Load(Options(TestCertificates.Write(Dir("m"), "m", ca2, ca1))));
        Assert.Contains("is not issued by the authority", error.Message, StringComparison.Ordinal);
    }

    private string Dir(string name) => Path.Combine(_dir.FullName, name);

    private static ClusterTlsOptions Options((string Certificate, string Key, string Authority) paths) => new()
    {
        Enabled = true,
        CertificatePath = paths.Certificate,
        KeyPath = paths.Key,
        CaPath = paths.Authority,
    };
}
