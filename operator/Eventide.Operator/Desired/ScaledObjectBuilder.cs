using System.Globalization;
using Eventide.Operator.Autoscaling;
using Eventide.Operator.Kubernetes.Models;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>
/// In KEDA mode the processor is scaled by a KEDA ScaledObject polling the
/// inbox with its postgresql trigger; the operator then sends no replica count.
/// </summary>
public static class ScaledObjectBuilder
{
    /// <summary>Inbox lag in events, the same figure <c>GET /v1/admin/lag</c> reports as total_events.</summary>
    public const string LagQuery = "SELECT coalesce(sum(event_count),0) FROM eventide.inbox";

    public static ScaledObject? Build(EventPipeline p)
    {
        var scaling = p.Spec.Processor.Autoscaling;
        if (scaling.Mode != AutoscalingModes.Keda)
        {
            return null;
        }
        return new ScaledObject
        {
            Metadata = Metadata.For(p, Names.Component(p, DataPlaneRole.Processor), DataPlaneRole.Processor),
            Spec = new ScaledObjectSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "StatefulSet", Name = Names.Component(p, DataPlaneRole.Processor) },
                PollingInterval = scaling.PollIntervalSeconds,
                MinReplicaCount = ProcessorReplicas.Floor(p.Spec),
                MaxReplicaCount = ProcessorReplicas.Ceiling(p.Spec),
                Advanced = new ScaledObjectAdvanced
                {
                    HorizontalPodAutoscalerConfig = new HorizontalPodAutoscalerConfig
                    {
                        Behavior = new V2HorizontalPodAutoscalerBehavior
                        {
                            ScaleUp = new V2HPAScalingRules { StabilizationWindowSeconds = scaling.ScaleUpStabilizationSeconds },
                            ScaleDown = new V2HPAScalingRules { StabilizationWindowSeconds = scaling.ScaleDownStabilizationSeconds },
                        },
                    },
                },
                Triggers =
                [
                    new ScaleTrigger
                    {
                        Type = "postgresql",
                        Metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
                        {
                            ["query"] = LagQuery,
                            ["targetQueryValue"] = scaling.TargetLagPerReplica.ToString(CultureInfo.InvariantCulture),
                            ["activationTargetQueryValue"] = "0",
                        },
                        AuthenticationRef = new TriggerAuthenticationRef { Name = Names.KedaAuthentication(p) },
                    },
                ],
            },
        };
    }
}
