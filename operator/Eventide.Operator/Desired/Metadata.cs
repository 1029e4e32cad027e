using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

public static class Metadata
{
    /// <summary>
    /// Metadata of an owned object. The owner reference makes Kubernetes' garbage
    /// collector delete the object with its pipeline; it is left out only when the
    /// pipeline has no uid yet (rendering a file that was never applied).
    /// </summary>
    public static JsonObject For(EventPipeline p, string name, Role? role)
    {
        var meta = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = p.Namespace,
            ["labels"] = Labels.For(p, role),
        };
        if (p.Uid is { } uid)
        {
            meta["ownerReferences"] = new JsonArray
            {
                new JsonObject
                {
                    ["apiVersion"] = EventPipeline.ApiVersionValue,
                    ["kind"] = EventPipeline.KindValue,
                    ["name"] = p.Name,
                    ["uid"] = uid,
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                },
            };
        }
        return meta;
    }
}
