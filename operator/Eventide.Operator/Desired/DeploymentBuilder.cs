using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>One Deployment per role, every one from the same image with its role argument.</summary>
public static class DeploymentBuilder
{
    public const string ConfigHashAnnotation = "eventide.io/config-hash";
    private const long NonRootId = 65532;

    public static JsonObject Build(EventPipeline p, Role role, ObservedState observed)
    {
        var spec = new JsonObject();
        // Server-side apply: a field we leave out is a field we do not own. Where an
        // autoscaler (HPA, KEDA) owns the replica count we must not send one, or
        // every reconcile would fight it.
        if (Replicas(p, role, observed) is { } replicas)
        {
            spec["replicas"] = replicas;
        }
        spec["revisionHistoryLimit"] = 5;
        spec["selector"] = new JsonObject { ["matchLabels"] = Labels.Selector(p, role) };
        spec["strategy"] = role == Role.Processor
            // Processors hand shards over on shutdown; surging first avoids a gap in ownership.
            ? new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxSurge"] = 1, ["maxUnavailable"] = 0 } }
            : new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxSurge"] = "25%", ["maxUnavailable"] = 0 } };
        spec["template"] = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = Labels.For(p, role),
                ["annotations"] = new JsonObject
                {
                    ["prometheus.io/scrape"] = "true",
                    ["prometheus.io/port"] = Names.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["prometheus.io/path"] = "/metrics",
                    [ConfigHashAnnotation] = ConfigMapBuilder.Hash(p),
                },
            },
            ["spec"] = PodSpec(p, role),
        };
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = Metadata.For(p, Names.Component(p, role), role),
            ["spec"] = spec,
        };
    }

    /// <summary>The replica count the operator owns for a role, or null when an autoscaler owns it.</summary>
    public static int? Replicas(EventPipeline p, Role role, ObservedState observed)
    {
        var s = p.Spec;
        if (role == Role.Ingestion)
        {
            return HorizontalPodAutoscalerBuilder.Enabled(s.Ingestion.Replicas, s.Ingestion.MaxReplicas) ? null : s.Ingestion.Replicas;
        }
        if (role == Role.Query)
        {
            return HorizontalPodAutoscalerBuilder.Enabled(s.Query.Replicas, s.Query.MaxReplicas) ? null : s.Query.Replicas;
        }
        var processor = s.Processor;
        var ceiling = Math.Min(processor.MaxReplicas, s.Shards);
        return processor.Autoscaling.Mode switch
        {
            AutoscalingModes.Keda => null,
            AutoscalingModes.Lag => Math.Clamp(observed.ProcessorReplicas ?? processor.MinReplicas, Math.Min(processor.MinReplicas, ceiling), ceiling),
            _ => Math.Min(processor.MinReplicas, ceiling),
        };
    }

    private static JsonObject PodSpec(EventPipeline p, Role role) => new()
    {
        ["serviceAccountName"] = Names.ServiceAccount(p),
        ["automountServiceAccountToken"] = false,
        // Processors flush their in-flight batch and release shards on SIGTERM.
        ["terminationGracePeriodSeconds"] = role == Role.Processor ? 60 : 30,
        ["securityContext"] = new JsonObject
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = NonRootId,
            ["runAsGroup"] = NonRootId,
            ["fsGroup"] = NonRootId,
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        },
        ["containers"] = new JsonArray { Container(p, role) },
        // The root file system is read-only; .NET still wants a writable temp directory.
        ["volumes"] = new JsonArray
        {
            new JsonObject { ["name"] = "tmp", ["emptyDir"] = new JsonObject { ["sizeLimit"] = "64Mi" } },
        },
    };

    private static JsonObject Container(EventPipeline p, Role role)
    {
        var s = p.Spec;
        return new JsonObject
        {
            ["name"] = Names.Container,
            ["image"] = s.Image,
            ["imagePullPolicy"] = s.ImagePullPolicy,
            ["args"] = new JsonArray { "run", "--roles", role.Name, "--listen", $"http://0.0.0.0:{Names.Port}" },
            ["ports"] = new JsonArray
            {
                new JsonObject { ["name"] = Names.PortName, ["containerPort"] = Names.Port, ["protocol"] = "TCP" },
            },
            ["envFrom"] = new JsonArray
            {
                new JsonObject { ["configMapRef"] = new JsonObject { ["name"] = Names.ConfigMap(p) } },
            },
            ["env"] = new JsonArray
            {
                SecretEnv("Eventide__Database__ConnectionString", s.Database.SecretRef.Name, s.Database.SecretRef.Key),
                SecretEnv("Eventide__Admin__Token", s.AdminTokenSecretRef.Name, s.AdminTokenSecretRef.Key),
            },
            ["readinessProbe"] = Probe("/readyz", initialDelay: 2, period: 5, failures: 3),
            ["livenessProbe"] = Probe("/healthz", initialDelay: 10, period: 10, failures: 3),
            ["resources"] = Resources(role, role == Role.Ingestion ? s.Ingestion.Resources : role == Role.Processor ? s.Processor.Resources : s.Query.Resources),
            ["securityContext"] = new JsonObject
            {
                ["allowPrivilegeEscalation"] = false,
                ["readOnlyRootFilesystem"] = true,
                ["runAsNonRoot"] = true,
                ["capabilities"] = new JsonObject { ["drop"] = new JsonArray { "ALL" } },
            },
            ["volumeMounts"] = new JsonArray
            {
                new JsonObject { ["name"] = "tmp", ["mountPath"] = "/tmp" },
            },
        };
    }

    private static JsonObject SecretEnv(string name, string secret, string key) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new JsonObject
        {
            ["secretKeyRef"] = new JsonObject { ["name"] = secret, ["key"] = key },
        },
    };

    private static JsonObject Probe(string path, int initialDelay, int period, int failures) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = Names.PortName },
        ["initialDelaySeconds"] = initialDelay,
        ["periodSeconds"] = period,
        ["timeoutSeconds"] = 2,
        ["failureThreshold"] = failures,
    };

    private static JsonObject Resources(Role role, ResourceRequirements? given)
    {
        var requests = given?.Requests ?? new Dictionary<string, string> { ["cpu"] = role.DefaultCpuRequest, ["memory"] = role.DefaultMemoryRequest };
        var limits = given?.Limits ?? (given?.Requests is null ? new Dictionary<string, string> { ["memory"] = role.DefaultMemoryLimit } : null);
        var result = new JsonObject { ["requests"] = ToObject(requests) };
        if (limits is not null)
        {
            result["limits"] = ToObject(limits);
        }
        return result;
    }

    private static JsonObject ToObject(Dictionary<string, string> values)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            obj[k] = v;
        }
        return obj;
    }
}
