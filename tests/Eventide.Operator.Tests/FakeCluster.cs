using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json.Nodes;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using Eventide.Testing.Kubernetes;
using k8s;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Eventide.Operator.Tests;

/// <summary>
/// The fake API server with real KubernetesClient clients in front of it: an
/// admin for the test's own writes, and controllers that run as the operator.
/// </summary>
public sealed class FakeCluster : IAsyncDisposable
{
    public const string Ns = "team";
    private readonly List<(CancellationTokenSource Stop, Task Run)> _running = [];
    private readonly List<IDisposable> _owned = [];
    private readonly HttpClient _http = new();

    private FakeCluster(FakeApiServer server)
    {
        Server = server;
        Admin = Client(null);
    }

    public FakeApiServer Server { get; }

    /// <summary>What the controllers logged: some steps are seen only there (a reconcile that found its pipeline gone).</summary>
    public FakeLogCollector Logs { get; } = new();

    /// <summary>The test's own client: creates and edits objects as a user would.</summary>
    public IKubernetes Admin { get; }

    public static async Task<FakeCluster> StartAsync()
    {
        var cluster = new FakeCluster(await FakeApiServer.StartAsync());
        await cluster.CreateSecretAsync("db", "connectionString", "Host=db;Username=eventide");
        await cluster.CreateSecretAsync("admin", "token", cluster.Server.AdminToken);
        return cluster;
    }

    /// <summary>A real KubernetesClient against the fake server, with a bearer token when given.</summary>
    public IKubernetes Client(string? token)
    {
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Server.Url.ToString(), AccessToken = token });
        _owned.Add(client);
        return client;
    }

    public static OperatorOptions Options(string identity) => new()
    {
        Identity = identity,
        LeaseNamespace = "default",
        LeaseDuration = TimeSpan.FromSeconds(2),
        RenewDeadline = TimeSpan.FromSeconds(1.5),
        RetryPeriod = TimeSpan.FromMilliseconds(100),
        BackoffBase = TimeSpan.FromMilliseconds(50),
        BackoffMax = TimeSpan.FromSeconds(1),
        LagPollInterval = TimeSpan.FromMilliseconds(100),
        WatchErrorDelay = TimeSpan.FromMilliseconds(50),
        ReconcileTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Starts a controller as the operator would run (its own client, the Lease lock, lag over HTTP).</summary>
    public (OperatorController Controller, int Index) Start(string identity, string? token = null, IMeterFactory? meters = null)
    {
        var client = Client(token);
        var options = Options(identity);
        meters ??= NewMeterFactory();
        var controller = new OperatorController(
            client,
            new LeaseLock(client, options.LeaseNamespace, options.LeaseName, identity),
            new HttpLagReader(client, _http, _ => Server.Url),
            options,
            TimeProvider.System,
            new OperatorMetrics(meters),
            Loggers());
        var stop = new CancellationTokenSource();
        _running.Add((stop, controller.RunAsync(stop.Token)));
        return (controller, _running.Count - 1);
    }

    private LoggerFactory Loggers()
    {
        var factory = new LoggerFactory([new FakeLoggerProvider(Logs)]);
        _owned.Add(factory);
        return factory;
    }

    /// <summary>Stops a controller as SIGTERM would, and waits until it has.</summary>
    public async Task StopAsync(int index)
    {
        await _running[index].Stop.CancelAsync();
        await _running[index].Run;
    }

    public IMeterFactory NewMeterFactory()
    {
        var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _owned.Add(provider);
        return provider.GetRequiredService<IMeterFactory>();
    }

    public Task CreatePipelineAsync(JsonObject pipeline) =>
        Admin.CustomObjects.CreateNamespacedCustomObjectAsync(pipeline, EventPipeline.Group, EventPipeline.Version, Ns, EventPipeline.Plural);

    public Task PatchPipelineAsync(string mergePatch) =>
        Admin.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), EventPipeline.Group, EventPipeline.Version, Ns, EventPipeline.Plural, "p");

    public Task DeletePipelineAsync() =>
        Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(EventPipeline.Group, EventPipeline.Version, Ns, EventPipeline.Plural, "p");

    public Task CreateSecretAsync(string name, string key, string value) =>
        Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
            Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(value) },
        }, Ns);

    /// <summary>A pipeline with 8 shards and up to 4 processors scaled on lag.</summary>
    public static JsonObject Pipeline() => JsonNode.Parse($$"""
        {
          "apiVersion": "eventide.io/v1alpha1",
          "kind": "EventPipeline",
          "metadata": { "name": "p", "namespace": "{{Ns}}" },
          "spec": {
            "image": "eventide:1",
            "database": { "secretRef": { "name": "db" } },
            "adminTokenSecretRef": { "name": "admin" },
            "shards": 8,
            "processor": {
              "minReplicas": 1,
              "maxReplicas": 4,
              "autoscaling": { "targetLagPerReplica": 100, "maxLagAgeSeconds": 30, "scaleDownStabilizationSeconds": 1 }
            }
          }
        }
        """)!.AsObject();

    public JsonObject? PipelineObject() => Server.Get(EventPipeline.ApiVersionValue, EventPipeline.Plural, Ns, "p");

    public JsonNode? Condition(string type) =>
        PipelineObject()?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == type);

    public JsonObject? Deployment(string role) => Server.Get("apps/v1", "deployments", Ns, $"p-{role}");

    public JsonObject? StatefulSet(string role) => Server.Get("apps/v1", "statefulsets", Ns, $"p-{role}");

    /// <summary>A role's workload: the processor's StatefulSet, the other roles' Deployments.</summary>
    public JsonObject? Workload(string role) => role == "processor" ? StatefulSet(role) : Deployment(role);

    public long? Replicas(string role) => Long(Workload(role)?["spec"]?["replicas"]);

    /// <summary>An integer field of the server's JSON, however the node was made.</summary>
    public static long? Long(JsonNode? node) =>
        node is JsonValue v && long.TryParse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : null;

    public string? Image(string role) => (string?)Workload(role)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"];

    public async ValueTask DisposeAsync()
    {
        foreach (var (stop, run) in _running)
        {
            await stop.CancelAsync();
            await run;
            stop.Dispose();
        }
        foreach (var d in _owned)
        {
            d.Dispose();
        }
        _http.Dispose();
        await Server.DisposeAsync();
    }
}
