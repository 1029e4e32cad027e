using Eventide.Operator.Resources;
using k8s.Models;
using static Eventide.Operator.Desired.NetworkPolicyParts;

namespace Eventide.Operator.Desired;

/// <summary>
/// What every pod of the pipeline may reach: the database and DNS. Processors
/// also reach each other (<see cref="ProcessorNetworkPolicyBuilder"/>); nothing else leaves.
/// </summary>
public static class EgressNetworkPolicyBuilder
{
    public const string Purpose = "egress";
    private const int Dns = 53;

    public static V1NetworkPolicy? Build(EventPipeline p)
    {
        if (!Enabled(p))
        {
            return null;
        }
        var policies = p.Spec.NetworkPolicies;
        return Policy(p, Purpose, null, new V1NetworkPolicySpec
        {
            PodSelector = Pods(p, null),
            PolicyTypes = ["Egress"],
            Egress =
            [
                // Without a CIDR, any destination on the database port: the host is in a Secret the operator does not read.
                new V1NetworkPolicyEgressRule
                {
                    To = policies.DatabaseCidr is { } cidr ? [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = cidr } }] : null,
                    Ports = [Tcp(policies.DatabasePort)],
                },
                // DNS over UDP, and TCP for answers too large for a datagram.
                new V1NetworkPolicyEgressRule { To = [Namespace("kube-system")], Ports = [Udp(Dns), Tcp(Dns)] },
            ],
        });
    }
}
