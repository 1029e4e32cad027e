using Eventide.Operator.Kubernetes;

namespace Eventide.Operator.Tests.Kubernetes;

public sealed class KubeConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubeconfig").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FromKubeconfig_uses_the_current_context_server_token_and_namespace()
    {
        const string yaml = """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
              - name: c1
                cluster:
                  server: https://api.dev.example:6443
                  insecure-skip-tls-verify: true
              - name: c2
                cluster:
                  server: https://other:6443
            contexts:
              - name: dev
                context: { cluster: c1, user: u1, namespace: team }
              - name: prod
                context: { cluster: c2, user: u1 }
            users:
              - name: u1
                user:
                  token: abc
            """;
        var c = KubeConfigLoader.FromKubeconfig(yaml, _dir, null);
        Assert.Equal(new Uri("https://api.dev.example:6443"), c.Server);
        Assert.True(c.InsecureSkipTlsVerify);
        Assert.Equal("abc", c.Token!());
        Assert.Equal("team", c.DefaultNamespace);
        var prod = KubeConfigLoader.FromKubeconfig(yaml, _dir, "prod");
        Assert.Equal("default", prod.DefaultNamespace);
        Assert.Equal("https://other:6443/", prod.Server.ToString());
    }

    [Fact]
    public void FromKubeconfig_reads_token_file_relative_to_the_kubeconfig()
    {
        File.WriteAllText(Path.Combine(_dir, "tok"), "from-file\n");
        const string yaml = """
            current-context: x
            clusters: [{ name: c, cluster: { server: "https://k:443" } }]
            contexts: [{ name: x, context: { cluster: c, user: u } }]
            users: [{ name: u, user: { tokenFile: tok } }]
            """;
        Assert.Equal("from-file", KubeConfigLoader.FromKubeconfig(yaml, _dir, null).Token!());
    }

    [Fact]
    public void FromKubeconfig_without_the_named_context_fails_clearly()
    {
        var e = Assert.Throws<InvalidDataException>(() => KubeConfigLoader.FromKubeconfig("current-context: nope\ncontexts: []\n", _dir, null));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }
}
