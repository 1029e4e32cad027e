using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

public static class PodDisruptionBudgetBuilder
{
    // maxUnavailable rather than minAvailable: a single-replica role must still
    // let a node drain, one pod at a time.
    public static V1PodDisruptionBudget Build(EventPipeline p, DataPlaneRole role) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Metadata.For(p, Names.Component(p, role), role),
        Spec = new V1PodDisruptionBudgetSpec
        {
            MaxUnavailable = 1,
            Selector = new V1LabelSelector { MatchLabels = Labels.Selector(p, role) },
        },
    };
}
