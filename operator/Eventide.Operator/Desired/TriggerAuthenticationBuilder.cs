using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>
/// Gives KEDA's postgresql trigger its connection. KEDA wants a libpq key=value
/// string, which the Npgsql connection string is not, so it reads a second key
/// of the same database Secret.
/// </summary>
public static class TriggerAuthenticationBuilder
{
    public static JsonObject? Build(EventPipeline p)
    {
        if (p.Spec.Processor.Autoscaling.Mode != AutoscalingModes.Keda)
        {
            return null;
        }
        return new JsonObject
        {
            ["apiVersion"] = "keda.sh/v1alpha1",
            ["kind"] = "TriggerAuthentication",
            ["metadata"] = Metadata.For(p, Names.KedaAuthentication(p), Role.Processor),
            ["spec"] = new JsonObject
            {
                ["secretTargetRef"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["parameter"] = "connection",
                        ["name"] = p.Spec.Database.SecretRef.Name,
                        ["key"] = p.Spec.Processor.Autoscaling.KedaConnectionKey,
                    },
                },
            },
        };
    }
}
