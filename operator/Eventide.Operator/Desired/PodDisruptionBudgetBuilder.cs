using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

public static class PodDisruptionBudgetBuilder
{
    // maxUnavailable rather than minAvailable: a single-replica role must still
    // let a node drain, one pod at a time.
    public static JsonObject Build(EventPipeline p, Role role) => new()
    {
        ["apiVersion"] = "policy/v1",
        ["kind"] = "PodDisruptionBudget",
        ["metadata"] = Metadata.For(p, Names.Component(p, role), role),
        ["spec"] = new JsonObject
        {
            ["maxUnavailable"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = Labels.Selector(p, role) },
        },
    };
}
