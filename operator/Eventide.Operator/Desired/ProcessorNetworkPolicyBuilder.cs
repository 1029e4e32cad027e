using Eventide.Operator.Resources;
using k8s.Models;
using static Eventide.Operator.Desired.NetworkPolicyParts;

namespace Eventide.Operator.Desired;

/// <summary>
/// The cluster's remoting port: whoever reaches it can join the cluster or
/// message its actors, so only this pipeline's processor pods may, in both directions.
/// </summary>
public static class ProcessorNetworkPolicyBuilder
{
    public const string Purpose = "processor-remoting";

    public static V1NetworkPolicy? Build(EventPipeline p) => !Enabled(p) ? null : Policy(p, Purpose, DataPlaneRole.Processor, new V1NetworkPolicySpec
    {
        PodSelector = Pods(p, DataPlaneRole.Processor),
        PolicyTypes = ["Ingress", "Egress"],
        Ingress = [new V1NetworkPolicyIngressRule { FromProperty = [PipelinePods(p, DataPlaneRole.Processor)], Ports = [Tcp(Names.RemotingPort)] }],
        Egress = [new V1NetworkPolicyEgressRule { To = [PipelinePods(p, DataPlaneRole.Processor)], Ports = [Tcp(Names.RemotingPort)] }],
    });
}
