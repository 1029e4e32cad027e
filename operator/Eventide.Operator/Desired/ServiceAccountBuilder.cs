using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

public static class ServiceAccountBuilder
{
    public static JsonObject Build(EventPipeline p) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ServiceAccount",
        ["metadata"] = Metadata.For(p, Names.ServiceAccount(p), null),
        // The data plane never calls the Kubernetes API.
        ["automountServiceAccountToken"] = false,
    };
}
