using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>CPU autoscaling for the stateless roles. The processor scales on lag instead (Autoscaling/).</summary>
public static class HorizontalPodAutoscalerBuilder
{
    public static bool Enabled(int replicas, int maxReplicas) => maxReplicas > replicas;

    public static V2HorizontalPodAutoscaler? Build(EventPipeline p, DataPlaneRole role)
    {
        int min, max, cpu;
        if (role == DataPlaneRole.Ingestion)
        {
            (min, max, cpu) = (p.Spec.Ingestion.Replicas, p.Spec.Ingestion.MaxReplicas, p.Spec.Ingestion.TargetCpuUtilizationPercentage);
        }
        else if (role == DataPlaneRole.Query)
        {
            (min, max, cpu) = (p.Spec.Query.Replicas, p.Spec.Query.MaxReplicas, p.Spec.Query.TargetCpuUtilizationPercentage);
        }
        else
        {
            return null;
        }
        if (!Enabled(min, max))
        {
            return null;
        }
        return new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Metadata = Metadata.For(p, Names.Component(p, role), role),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = Names.Component(p, role) },
                MinReplicas = min,
                MaxReplicas = max,
                Metrics =
                [
                    new V2MetricSpec
                    {
                        Type = "Resource",
                        Resource = new V2ResourceMetricSource
                        {
                            Name = "cpu",
                            Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = cpu },
                        },
                    },
                ],
            },
        };
    }
}
