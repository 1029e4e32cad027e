using System.Text.Json.Nodes;
using Eventide.Testing;
using k8s;
using k8s.Models;

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
    private const string Ns = FakeCluster.Ns;
    private const string OperatorToken = "operator-service-account-token";
    private FakeCluster _c = null!;

    public async Task InitializeAsync()
    {
        _c = await FakeCluster.StartAsync();
        // The Prometheus Operator is installed, so the ServiceMonitor path runs too.
        await _c.Admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "servicemonitors.monitoring.coreos.com" },
        });
    }

    public async Task DisposeAsync() => await _c.DisposeAsync();

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

    /// <summary>Create with every optional object, replace an old processor Deployment, turn each off, switch to KEDA and back, delete, shut down.</summary>
    private async Task<HashSet<(string Group, string Resource, string Verb)>> RunLifecycleAsync()
    {
        var (_, index) = _c.Start("op-rbac", OperatorToken);

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
        await _c.CreatePipelineAsync(pipeline);
        await Eventually.True(() => Exists("networking.k8s.io/v1", "ingresses", "p") && Exists("monitoring.coreos.com/v1", "servicemonitors", "p")
            && _c.Server.List("autoscaling/v2", "horizontalpodautoscalers", Ns).Count == 2 && _c.Server.List("networking.k8s.io/v1", "networkpolicies", Ns).Count == 5
            && Ready(), "every optional object exists and the pipeline is Ready");

        // An older operator ran the processors as a Deployment: upgrading deletes it.
        var uid = (string?)_c.PipelineObject()!["metadata"]!["uid"];
        await _c.Admin.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta
            {
                Name = "p-processor",
                NamespaceProperty = Ns,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/instance"] = "p", ["app.kubernetes.io/managed-by"] = "eventide-operator" },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "eventide.io/v1alpha1", Kind = "EventPipeline", Name = "p", Uid = uid, Controller = true }],
            },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "old" } },
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "eventide", Image = "eventide:0" }] } },
            },
        }, Ns);
        await Eventually.True(() => !Exists("apps/v1", "deployments", "p-processor"), "the old processor Deployment is deleted");

        await _c.PatchPipelineAsync("""{"spec":{"ingestion":{"maxReplicas":2,"ingress":{"enabled":false}},"query":{"maxReplicas":2},"monitoring":{"serviceMonitor":false},"processor":{"autoscaling":{"mode":"KEDA"}},"networkPolicies":{"enabled":false}}}""");
        await Eventually.True(() => !Exists("networking.k8s.io/v1", "ingresses", "p") && !Exists("monitoring.coreos.com/v1", "servicemonitors", "p")
            && _c.Server.List("autoscaling/v2", "horizontalpodautoscalers", Ns).Count == 0 && _c.Server.List("networking.k8s.io/v1", "networkpolicies", Ns).Count == 0
            && _c.Server.List("keda.sh/v1alpha1", "scaledobjects", Ns).Count == 1 && _c.Server.List("keda.sh/v1alpha1", "triggerauthentications", Ns).Count == 1,
            "the Ingress, ServiceMonitor, HPAs and NetworkPolicies are pruned and KEDA's objects exist");

        await _c.PatchPipelineAsync("""{"spec":{"processor":{"autoscaling":{"mode":"Lag"}}}}""");
        await Eventually.True(() => _c.Server.List("keda.sh/v1alpha1", "scaledobjects", Ns).Count == 0 && _c.Server.List("keda.sh/v1alpha1", "triggerauthentications", Ns).Count == 0,
            "KEDA's objects are pruned");

        await _c.DeletePipelineAsync();
        await Eventually.True(() => _c.Server.List("apps/v1", "deployments", Ns).Count == 0, "owned objects are gone with the pipeline");
        // The reconcile that finds the pipeline gone may run before the owned objects are seen
        // gone, so counting reconciles after that would race it: wait for its log.
        await Eventually.True(() => _c.Logs.GetSnapshot().Any(r => r.Id.Name == "PipelineGone"), "the controller saw the deletion");

        // Shutting down hands the Lease over (an update).
        await _c.StopAsync(index);
        Assert.Equal("", (string?)_c.Server.Get("coordination.k8s.io/v1", "leases", "default", "eventide-operator")?["spec"]?["holderIdentity"]);
        return [.. _c.Server.AccessOf(OperatorToken)];
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
            kind.AddRange(Expand(KubernetesYaml.Deserialize<V1ClusterRole>(text).Rules));
        }
        return rules;
    }

    private static Rules ManifestRules(string path)
    {
        var rules = new Rules([], []);
        foreach (var doc in KubernetesYaml.LoadAllFromString(File.ReadAllText(path)))
        {
            switch (doc)
            {
                case V1ClusterRole role:
                    rules.ClusterRole.AddRange(Expand(role.Rules));
                    break;
                case V1Role role:
                    rules.Role.AddRange(Expand(role.Rules));
                    break;
            }
        }
        return rules;
    }

    private static IEnumerable<(string Group, string Resource, string Verb)> Expand(IEnumerable<V1PolicyRule> rules) =>
        from rule in rules
        from g in rule.ApiGroups
        from r in rule.Resources
        from v in rule.Verbs
        select (g, r, v);

    private static string Describe((string Group, string Resource, string Verb) g) =>
        $"{(g.Group.Length == 0 ? "core" : g.Group)}/{g.Resource}:{g.Verb}";

    private bool Exists(string apiVersion, string plural, string name) => _c.Server.Get(apiVersion, plural, Ns, name) is not null;

    private bool Ready() =>
        (string?)_c.Condition("Ready")?["status"] == "True";
}
