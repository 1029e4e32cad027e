using Eventide.Operator.Resources;
using k8s.Models;
using static Eventide.Operator.Desired.NetworkPolicyParts;

namespace Eventide.Operator.Desired;

/// <summary>
/// Every pod's HTTP port, which serves <c>/metrics</c> and the admin API, from
/// the monitoring namespace (scrapes) and from the operator's pods (it reads
/// <c>GET /v1/admin/lag</c> through the query Service).
/// </summary>
public static class MetricsNetworkPolicyBuilder
{
    public const string Purpose = "metrics";

    public static V1NetworkPolicy? Build(EventPipeline p) => !Enabled(p) ? null : Policy(p, Purpose, null, new V1NetworkPolicySpec
    {
        PodSelector = Pods(p, null),
        PolicyTypes = ["Ingress"],
        Ingress = [new V1NetworkPolicyIngressRule { FromProperty = [Namespace(p.Spec.NetworkPolicies.MonitoringNamespace), OperatorPods(p)], Ports = [Tcp(Names.Port)] }],
    });
}
