using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>Every object a pipeline should own, in apply order (dependencies before dependents).</summary>
public static class DesiredObjects
{
    public static IReadOnlyList<JsonObject> Build(EventPipeline p, ObservedState observed)
    {
        var objects = new List<JsonObject?>
        {
            ServiceAccountBuilder.Build(p),
            ConfigMapBuilder.Build(p),
            TriggerAuthenticationBuilder.Build(p),
        };
        foreach (var role in Role.All)
        {
            objects.Add(ServiceBuilder.Build(p, role));
        }
        foreach (var role in Role.All)
        {
            objects.Add(DeploymentBuilder.Build(p, role, observed));
        }
        foreach (var role in Role.All)
        {
            objects.Add(PodDisruptionBudgetBuilder.Build(p, role));
        }
        foreach (var role in Role.All)
        {
            objects.Add(HorizontalPodAutoscalerBuilder.Build(p, role));
        }
        objects.Add(ScaledObjectBuilder.Build(p));
        objects.Add(IngressBuilder.Build(p));
        objects.Add(ServiceMonitorBuilder.Build(p, observed));
        return [.. objects.OfType<JsonObject>()];
    }
}
