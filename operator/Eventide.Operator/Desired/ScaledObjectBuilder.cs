using System.Globalization;
using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>
/// In KEDA mode the processor is scaled by a KEDA ScaledObject polling the
/// inbox with its postgresql trigger; the operator then sends no replica count.
/// </summary>
public static class ScaledObjectBuilder
{
    /// <summary>Inbox lag in events, the same figure <c>GET /v1/admin/lag</c> reports as total_events.</summary>
    public const string LagQuery = "SELECT coalesce(sum(event_count),0) FROM eventide.inbox";

    public static JsonObject? Build(EventPipeline p)
    {
        var processor = p.Spec.Processor;
        var scaling = processor.Autoscaling;
        if (scaling.Mode != AutoscalingModes.Keda)
        {
            return null;
        }
        var ceiling = Math.Min(processor.MaxReplicas, p.Spec.Shards);
        return new JsonObject
        {
            ["apiVersion"] = "keda.sh/v1alpha1",
            ["kind"] = "ScaledObject",
            ["metadata"] = Metadata.For(p, Names.Component(p, Role.Processor), Role.Processor),
            ["spec"] = new JsonObject
            {
                ["scaleTargetRef"] = new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "Deployment",
                    ["name"] = Names.Component(p, Role.Processor),
                },
                ["pollingInterval"] = scaling.PollIntervalSeconds,
                ["minReplicaCount"] = Math.Min(processor.MinReplicas, ceiling),
                // Never more processors than shards: an extra one would own nothing.
                ["maxReplicaCount"] = ceiling,
                ["advanced"] = new JsonObject
                {
                    ["horizontalPodAutoscalerConfig"] = new JsonObject
                    {
                        ["behavior"] = new JsonObject
                        {
                            ["scaleUp"] = new JsonObject { ["stabilizationWindowSeconds"] = scaling.ScaleUpStabilizationSeconds },
                            ["scaleDown"] = new JsonObject { ["stabilizationWindowSeconds"] = scaling.ScaleDownStabilizationSeconds },
                        },
                    },
                },
                ["triggers"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["type"] = "postgresql",
                        ["metadata"] = new JsonObject
                        {
                            ["query"] = LagQuery,
                            ["targetQueryValue"] = scaling.TargetLagPerReplica.ToString(CultureInfo.InvariantCulture),
                            ["activationTargetQueryValue"] = "0",
                        },
                        ["authenticationRef"] = new JsonObject { ["name"] = Names.KedaAuthentication(p) },
                    },
                },
            },
        };
    }
}
