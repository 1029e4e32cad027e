using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>CPU autoscaling for the stateless roles. The processor scales on lag instead (Autoscaling/).</summary>
public static class HorizontalPodAutoscalerBuilder
{
    public static bool Enabled(int replicas, int maxReplicas) => maxReplicas > replicas;

    public static JsonObject? Build(EventPipeline p, Role role)
    {
        int min, max, cpu;
        if (role == Role.Ingestion)
        {
            (min, max, cpu) = (p.Spec.Ingestion.Replicas, p.Spec.Ingestion.MaxReplicas, p.Spec.Ingestion.TargetCpuUtilizationPercentage);
        }
        else if (role == Role.Query)
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
        return new JsonObject
        {
            ["apiVersion"] = "autoscaling/v2",
            ["kind"] = "HorizontalPodAutoscaler",
            ["metadata"] = Metadata.For(p, Names.Component(p, role), role),
            ["spec"] = new JsonObject
            {
                ["scaleTargetRef"] = new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "Deployment",
                    ["name"] = Names.Component(p, role),
                },
                ["minReplicas"] = min,
                ["maxReplicas"] = max,
                ["metrics"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["type"] = "Resource",
                        ["resource"] = new JsonObject
                        {
                            ["name"] = "cpu",
                            ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = cpu },
                        },
                    },
                },
            },
        };
    }
}
