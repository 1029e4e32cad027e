using Eventide.Operator.Resources;
using k8s.Models;
using static Eventide.Operator.Desired.NetworkPolicyParts;

namespace Eventide.Operator.Desired;

/// <summary>
/// The query API from the ingress controller's namespace; Prometheus and the
/// operator reach the same port through <see cref="MetricsNetworkPolicyBuilder"/>
/// (policies add up).
/// </summary>
public static class QueryNetworkPolicyBuilder
{
    public const string Purpose = "query";

    public static V1NetworkPolicy? Build(EventPipeline p) => !Enabled(p) ? null : Policy(p, Purpose, DataPlaneRole.Query, new V1NetworkPolicySpec
    {
        PodSelector = Pods(p, DataPlaneRole.Query),
        PolicyTypes = ["Ingress"],
        Ingress = [new V1NetworkPolicyIngressRule { FromProperty = [Namespace(p.Spec.NetworkPolicies.IngressNamespace)], Ports = [Tcp(Names.Port)] }],
    });
}
