using Eventide.Operator.Desired;
using static Eventide.Operator.Tests.Desired.NetworkPolicyAssert;

namespace Eventide.Operator.Tests.Desired;

public class EgressNetworkPolicyBuilderTests
{
    [Fact]
    public void Build_lets_every_pod_reach_the_database_port_and_dns_only()
    {
        var policy = EgressNetworkPolicyBuilder.Build(Pipelines.Build())!;
        Assert.Equal("p-egress", policy.Metadata.Name);
        Assert.Equal(["Egress"], policy.Spec.PolicyTypes);
        Assert.Equal("p", policy.Spec.PodSelector.MatchLabels[Labels.Instance]);
        Assert.Equal(
            ["anywhere TCP/5432", "ns:kubernetes.io/metadata.name=kube-system UDP/53", "ns:kubernetes.io/metadata.name=kube-system TCP/53"],
            Egress(policy));
    }

    [Fact]
    public void Build_narrows_the_database_rule_to_the_cidr_when_given()
    {
        var policy = EgressNetworkPolicyBuilder.Build(Pipelines.Build(s => { s.NetworkPolicies.DatabaseCidr = "10.20.0.0/16"; s.NetworkPolicies.DatabasePort = 6432; }))!;
        Assert.Contains("cidr:10.20.0.0/16 TCP/6432", Egress(policy));
        Assert.DoesNotContain(Egress(policy), r => r.StartsWith("anywhere", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_returns_null_when_network_policies_are_off()
    {
        Assert.Null(EgressNetworkPolicyBuilder.Build(Pipelines.Build(s => s.NetworkPolicies.Enabled = false)));
    }
}
