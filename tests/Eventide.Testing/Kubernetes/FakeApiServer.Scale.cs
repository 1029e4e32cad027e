using System.Text.Json.Nodes;

namespace Eventide.Testing.Kubernetes;

/// <summary>
/// StatefulSets: the scale subresource (<c>GET</c>/<c>PATCH .../statefulsets/{name}/scale</c>,
/// an <c>autoscaling/v1</c> Scale) and a stand-in for the StatefulSet controller reporting
/// replicas ready, on the same switch as Deployments (<see cref="DeploymentsBecomeAvailable"/>).
/// </summary>
public sealed partial class FakeApiServer
{
    private readonly List<(string Namespace, string Name, long Replicas)> _scales = [];

    /// <summary>Every replica count written through a scale subresource, in order.</summary>
    public IReadOnlyList<(string Namespace, string Name, long Replicas)> Scales
    {
        get
        {
            lock (_gate)
            {
                return [.. _scales];
            }
        }
    }

    private Result ScaleLocked(string method, Route route, string contentType, JsonObject? body, string manager)
    {
        if (route.Plural != "statefulsets" && route.Plural != "deployments")
        {
            return Result.Error(404, "NotFound", $"{route.Plural} has no scale subresource");
        }
        if (!_objects.TryGetValue(route.Key, out var s))
        {
            return Result.Error(404, "NotFound", $"{route.Plural} \"{route.Name}\" not found");
        }
        if (method == "GET")
        {
            return new Result(200, ScaleOf(s.Object));
        }
        if (method != "PATCH" || !contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
        {
            return Result.Error(405, "MethodNotAllowed", $"{method} {contentType} not supported on scale here");
        }
        if (LongOf(body?["spec"]?["replicas"]) is not { } replicas || replicas < 0)
        {
            return Result.Error(422, "Invalid", "spec.replicas must be a non-negative integer");
        }
        var next = s.Object.DeepClone().AsObject();
        next["spec"]!["replicas"] = replicas;
        // managedFields keep one manager's Apply and its Update through a subresource
        // as separate entries, so a later apply that leaves spec.replicas out does not
        // remove the count the scale set; the fake names the scale's entry apart.
        s.Claim($"{(manager.Length > 0 ? manager : "unknown")} (scale)", [new FieldPath("spec", "replicas")]);
        var result = Write(route, s, next);
        if (result.Code != 200)
        {
            return result;
        }
        _scales.Add((route.Namespace ?? "", route.Name ?? "", replicas));
        return new Result(200, ScaleOf(s.Object));
    }

    private static JsonObject ScaleOf(JsonObject obj) => new()
    {
        ["apiVersion"] = "autoscaling/v1",
        ["kind"] = "Scale",
        ["metadata"] = new JsonObject
        {
            ["name"] = obj["metadata"]?["name"]?.DeepClone(),
            ["namespace"] = obj["metadata"]?["namespace"]?.DeepClone(),
            ["uid"] = obj["metadata"]?["uid"]?.DeepClone(),
            ["resourceVersion"] = obj["metadata"]?["resourceVersion"]?.DeepClone(),
        },
        ["spec"] = new JsonObject { ["replicas"] = LongOf(obj["spec"]?["replicas"]) ?? 1 },
        ["status"] = new JsonObject { ["replicas"] = LongOf(obj["status"]?["replicas"]) ?? 0 },
    };

    private void SetStatefulSetStatus(JsonObject statefulSet)
    {
        var replicas = LongOf(statefulSet["spec"]?["replicas"]) ?? 1;
        var ready = DeploymentsBecomeAvailable ? replicas : 0;
        statefulSet["status"] = new JsonObject
        {
            ["observedGeneration"] = LongOf(statefulSet["metadata"]?["generation"]) ?? 1,
            ["replicas"] = replicas,
            ["currentReplicas"] = replicas,
            ["updatedReplicas"] = replicas,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
        };
    }
}
