using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Eventide.Operator.Kubernetes;

/// <summary>
/// Finds the API server like kubectl does: in a pod, the service account;
/// otherwise $KUBECONFIG or ~/.kube/config. Exec credential plugins are not
/// supported; use a token or client certificate.
/// </summary>
public static class KubeConfigLoader
{
    public const string ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static ClusterConnection Load(string? kubeconfigPath, string? context)
    {
        if (kubeconfigPath is null && Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 })
        {
            return InCluster(ServiceAccountDir, Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")!, Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT") ?? "443");
        }
        var path = kubeconfigPath
            ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        return FromKubeconfig(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!, context);
    }

    /// <summary>The pod's service account: the token file is re-read because bound tokens rotate.</summary>
    public static ClusterConnection InCluster(string dir, string host, string port)
    {
        var tokenFile = Path.Combine(dir, "token");
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(Path.Combine(dir, "ca.crt"));
        var nsFile = Path.Combine(dir, "namespace");
        var ns = File.Exists(nsFile) ? File.ReadAllText(nsFile).Trim() : "default";
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return new ClusterConnection(new Uri($"https://{hostPart}:{port}"), ca, false, CachedFile(tokenFile), null, ns);
    }

    public static ClusterConnection FromKubeconfig(string yaml, string baseDir, string? contextName)
    {
        var config = YamlJson.ParseAll(yaml)[0].AsObject();
        contextName ??= (string?)config["current-context"] ?? throw new InvalidDataException("The kubeconfig has no current-context.");
        var context = Named(config, "contexts", contextName)["context"]?.AsObject() ?? [];
        var cluster = Named(config, "clusters", (string?)context["cluster"] ?? "")["cluster"]?.AsObject() ?? [];
        var user = (string?)context["user"] is { } userName ? Named(config, "users", userName)["user"]?.AsObject() ?? [] : [];

        var server = new Uri((string?)cluster["server"] ?? throw new InvalidDataException("The cluster has no server."));
        X509Certificate2Collection? ca = null;
        if (Bytes(cluster, "certificate-authority-data", "certificate-authority", baseDir) is { } caPem)
        {
            ca = [];
            ca.ImportFromPem(Encoding.ASCII.GetString(caPem));
        }
        var insecure = (bool?)cluster["insecure-skip-tls-verify"] ?? false;

        Func<string?>? token = null;
        if ((string?)user["token"] is { } fixedToken)
        {
            token = () => fixedToken;
        }
        else if ((string?)user["tokenFile"] is { } tokenFile)
        {
            token = CachedFile(Path.Combine(baseDir, tokenFile));
        }
        X509Certificate2? clientCert = null;
        if (Bytes(user, "client-certificate-data", "client-certificate", baseDir) is { } certPem
            && Bytes(user, "client-key-data", "client-key", baseDir) is { } keyPem)
        {
            clientCert = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(certPem), Encoding.ASCII.GetString(keyPem));
        }
        if (user["exec"] is not null && token is null && clientCert is null)
        {
            throw new NotSupportedException("kubeconfig exec credential plugins are not supported; use a token or a client certificate.");
        }
        return new ClusterConnection(server, ca, insecure, token, clientCert, (string?)context["namespace"] ?? "default");
    }

    private static JsonObject Named(JsonObject config, string section, string name) =>
        config[section]?.AsArray().OfType<JsonObject>().FirstOrDefault(e => (string?)e["name"] == name)
        ?? throw new InvalidDataException($"The kubeconfig has no {section} entry named '{name}'.");

    private static byte[]? Bytes(JsonObject node, string dataKey, string fileKey, string baseDir)
    {
        if ((string?)node[dataKey] is { } data)
        {
            return Convert.FromBase64String(data);
        }
        if ((string?)node[fileKey] is { } file)
        {
            return File.ReadAllBytes(Path.Combine(baseDir, file));
        }
        return null;
    }

    // Re-read at most once a minute: kubelet rotates projected tokens well before they expire.
    private static Func<string?> CachedFile(string path)
    {
        var gate = new Lock();
        string? value = null;
        var readAt = DateTimeOffset.MinValue;
        return () =>
        {
            lock (gate)
            {
                if (DateTimeOffset.UtcNow - readAt > TimeSpan.FromMinutes(1))
                {
                    value = File.ReadAllText(path).Trim();
                    readAt = DateTimeOffset.UtcNow;
                }
                return value;
            }
        };
    }
}
