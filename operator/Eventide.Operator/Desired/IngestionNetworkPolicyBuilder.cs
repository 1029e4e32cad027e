using Eventide.Operator.Resources;
using k8s.Models;
using static Eventide.Operator.Desired.NetworkPolicyParts;

namespace Eventide.Operator.Desired;

/// <summary>
/// The ingestion ports are open to every source: they are the ingress's
/// backends and take events from in-cluster clients too; write keys, not the
/// network, decide who may post.
/// </summary>
public static class IngestionNetworkPolicyBuilder
{
    public const string Purpose = "ingestion";

    public static V1NetworkPolicy? Build(EventPipeline p)
    {
        if (!Enabled(p))
        {
            return null;
        }
        List<V1NetworkPolicyPort> ports = [Tcp(Names.Port)];
        if (p.Spec.Ingestion.Grpc.Enabled)
        {
            ports.Add(Tcp(p.Spec.Ingestion.Grpc.Port));
        }
        return Policy(p, Purpose, DataPlaneRole.Ingestion, new V1NetworkPolicySpec
        {
            PodSelector = Pods(p, DataPlaneRole.Ingestion),
            PolicyTypes = ["Ingress"],
            // A rule without "from" admits every source.
            Ingress = [new V1NetworkPolicyIngressRule { Ports = ports }],
        });
    }
}
