using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

public static class ServiceAccountBuilder
{
    public static V1ServiceAccount Build(EventPipeline p) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = Metadata.For(p, Names.ServiceAccount(p), null),
        // The data plane never calls the Kubernetes API.
        AutomountServiceAccountToken = false,
    };
}
