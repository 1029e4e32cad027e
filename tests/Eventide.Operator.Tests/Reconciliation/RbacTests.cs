using System.Text;
using System.Text.Json.Nodes;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using Eventide.Operator.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eventide.Operator.Tests.Reconciliation;

/// <summary>
/// The operator's RBAC is derived, not guessed: the controller runs through a
/// pipeline's whole lifecycle against the fake API server, which records every
/// (group, resource, verb) the operator's token requested, named as the API
/// server's authorizer names them; the chart's and the kustomize base's rules
/// must grant exactly that set: nothing missing, nothing extra.
/// </summary>
public sealed class RbacTests : IAsyncLifetime
{
    private const string Ns = "team";
    private const string OperatorToken = "operator-service-account-token";
    private FakeApiServer _server = null!;
    private KubernetesClient _admin = null!;
    private KubernetesClient _operator = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _admin = new KubernetesClient(new ClusterConnection(_server.Url, null, false, null, null, "default"));
        _operator = new KubernetesClient(new ClusterConnection(_server.Url, null, false, () => OperatorToken, null, "default"));
        await _admin.CreateAsync(ResourceType.Secret, Ns, Secret("db", "connectionString", "Host=db;Username=eventide"), default);
        await _admin.CreateAsync(ResourceType.Secret, Ns, Secret("admin", "token", _server.AdminToken), default);
        // The Prometheus Operator is installed, so the ServiceMonitor path runs too.
        await _admin.CreateAsync(ResourceType.CustomResourceDefinition, null, new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = "servicemonitors.monitoring.coreos.com" },
        }, default);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _operator.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Rbac_rules_of_the_chart_and_the_kustomize_base_grant_exactly_what_the_operator_uses()
    {
        var used = await RunLifecycleAsync();

        var chart = ChartRules(RepoPaths.Of("charts", "eventide", "templates", "rbac.yaml"));
        var kustomize = ManifestRules(RepoPaths.Of("k8s", "base", "operator.yaml"));
        foreach (var (name, rules) in new[] { ("charts/eventide/templates/rbac.yaml", chart), ("k8s/base/operator.yaml", kustomize) })
        {
            var granted = rules.ClusterRole.Concat(rules.Role).ToHashSet();
            var missing = used.Except(granted).Select(Describe).Order().ToList();
            var extra = granted.Except(used).Select(Describe).Order().ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"{name}: missing {string.Join(", ", missing)}; extra {string.Join(", ", extra)}");
            // The Lease is the only namespaced grant, and it is not cluster-wide.
            Assert.All(rules.Role, r => Assert.Equal(("coordination.k8s.io", "leases"), (r.Group, r.Resource)));
            Assert.DoesNotContain(rules.ClusterRole, r => r.Resource == "leases");
        }
    }

    [Fact]
    public void ChartRules_reads_every_grant_of_a_rule()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rbac-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, """
            {{- if .Values.rbac.create }}
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: {{ .Release.Name }}
            rules:
              - apiGroups: ["", apps]
                resources: [configmaps, deployments]
                verbs: [get, patch]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              name: x
            rules:
              - apiGroups: [coordination.k8s.io]
                resources: [leases]
                verbs: [get]
            {{- end }}
            """);
        try
        {
            var rules = ChartRules(path);
            Assert.Equal(8, rules.ClusterRole.Count);
            Assert.Contains(("apps", "configmaps", "patch"), rules.ClusterRole);
            Assert.Equal([("coordination.k8s.io", "leases", "get")], rules.Role);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Create with every optional object, turn each off, switch to KEDA and back, delete, shut down.</summary>
    private async Task<HashSet<(string Group, string Resource, string Verb)>> RunLifecycleAsync()
    {
        var options = new OperatorOptions
        {
            Identity = "op-rbac",
            LeaseNamespace = "default",
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
            BackoffBase = TimeSpan.FromMilliseconds(50),
            BackoffMax = TimeSpan.FromSeconds(1),
            LagPollInterval = TimeSpan.FromMilliseconds(100),
            WatchErrorDelay = TimeSpan.FromMilliseconds(50),
        };
        var controller = new OperatorController(_operator, new HttpLagReader(_operator, _http, _ => _server.Url), options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = controller.RunAsync(stop.Token);

        var pipeline = JsonNode.Parse($$"""
            {
              "apiVersion": "eventide.io/v1alpha1",
              "kind": "EventPipeline",
              "metadata": { "name": "p", "namespace": "{{Ns}}" },
              "spec": {
                "image": "eventide:1",
                "database": { "secretRef": { "name": "db" } },
                "adminTokenSecretRef": { "name": "admin" },
                "shards": 8,
                "ingestion": { "ingress": { "enabled": true, "host": "events.example.com" } },
                "monitoring": { "serviceMonitor": true },
                "processor": { "minReplicas": 1, "maxReplicas": 4 }
              }
            }
            """)!.AsObject();
        await _admin.CreateAsync(ResourceType.EventPipeline, Ns, pipeline, default);
        await Eventually.True(() => Exists("networking.k8s.io/v1", "ingresses", "p") && Exists("monitoring.coreos.com/v1", "servicemonitors", "p")
            && _server.List("autoscaling/v2", "horizontalpodautoscalers", Ns).Count == 2 && Ready(), "every optional object exists and the pipeline is Ready");

        await Patch("""{"spec":{"ingestion":{"maxReplicas":2,"ingress":{"enabled":false}},"query":{"maxReplicas":2},"monitoring":{"serviceMonitor":false},"processor":{"autoscaling":{"mode":"KEDA"}}}}""");
        await Eventually.True(() => !Exists("networking.k8s.io/v1", "ingresses", "p") && !Exists("monitoring.coreos.com/v1", "servicemonitors", "p")
            && _server.List("autoscaling/v2", "horizontalpodautoscalers", Ns).Count == 0
            && _server.List("keda.sh/v1alpha1", "scaledobjects", Ns).Count == 1 && _server.List("keda.sh/v1alpha1", "triggerauthentications", Ns).Count == 1,
            "the Ingress, ServiceMonitor and HPAs are pruned and KEDA's objects exist");

        await Patch("""{"spec":{"processor":{"autoscaling":{"mode":"Lag"}}}}""");
        await Eventually.True(() => _server.List("keda.sh/v1alpha1", "scaledobjects", Ns).Count == 0 && _server.List("keda.sh/v1alpha1", "triggerauthentications", Ns).Count == 0,
            "KEDA's objects are pruned");

        await _admin.DeleteAsync(ResourceType.EventPipeline, Ns, "p", default);
        await Eventually.True(() => _server.List("apps/v1", "deployments", Ns).Count == 0, "owned objects are gone with the pipeline");
        var reconciles = controller.Reconciles;
        await Eventually.True(() => controller.Reconciles > reconciles, "the controller saw the deletion");

        // Shutting down hands the Lease over (an update).
        await stop.CancelAsync();
        await run;
        Assert.Equal("", (string?)_server.Get("coordination.k8s.io/v1", "leases", "default", "eventide-operator")?["spec"]?["holderIdentity"]);
        return [.. _server.AccessOf(OperatorToken)];
    }

    private sealed record Rules(List<(string Group, string Resource, string Verb)> ClusterRole, List<(string Group, string Resource, string Verb)> Role);

    /// <summary>The chart template's rules: its ClusterRole and Role documents, from `rules:` on, are plain YAML.</summary>
    private static Rules ChartRules(string path)
    {
        var rules = new Rules([], []);
        foreach (var doc in File.ReadAllText(path).Split("\n---\n"))
        {
            var kind = doc.Contains("\nkind: ClusterRole\n", StringComparison.Ordinal) ? rules.ClusterRole
                : doc.Contains("\nkind: Role\n", StringComparison.Ordinal) ? rules.Role
                : null;
            if (kind is null)
            {
                continue;
            }
            var text = doc[doc.IndexOf("\nrules:", StringComparison.Ordinal)..];
            text = text.Replace("{{- end }}", "", StringComparison.Ordinal);
            Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
            kind.AddRange(Expand(YamlJson.ParseAll(text)[0]["rules"]!.AsArray()));
        }
        return rules;
    }

    private static Rules ManifestRules(string path)
    {
        var rules = new Rules([], []);
        foreach (var doc in YamlJson.ParseAll(File.ReadAllText(path)))
        {
            switch ((string?)doc["kind"])
            {
                case "ClusterRole":
                    rules.ClusterRole.AddRange(Expand(doc["rules"]!.AsArray()));
                    break;
                case "Role":
                    rules.Role.AddRange(Expand(doc["rules"]!.AsArray()));
                    break;
            }
        }
        return rules;
    }

    private static IEnumerable<(string Group, string Resource, string Verb)> Expand(JsonArray rules) =>
        from rule in rules
        from g in rule!["apiGroups"]!.AsArray()
        from r in rule["resources"]!.AsArray()
        from v in rule["verbs"]!.AsArray()
        select ((string)g!, (string)r!, (string)v!);

    private static string Describe((string Group, string Resource, string Verb) g) =>
        $"{(g.Group.Length == 0 ? "core" : g.Group)}/{g.Resource}:{g.Verb}";

    private bool Exists(string apiVersion, string plural, string name) => _server.Get(apiVersion, plural, Ns, name) is not null;

    private bool Ready() =>
        _server.Get(EventPipeline.ApiVersionValue, EventPipeline.Plural, Ns, "p")?["status"]?["conditions"]?.AsArray()
            .Any(c => (string?)c?["type"] == "Ready" && (string?)c["status"] == "True") ?? false;

    private Task Patch(string json) =>
        _admin.MergePatchAsync(ResourceType.EventPipeline, Ns, "p", JsonNode.Parse(json)!.AsObject(), null, default);

    private static JsonObject Secret(string name, string key, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns },
        ["data"] = new JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) },
    };
}
