using Eventide.Operator.Desired;
using static Eventide.Operator.Tests.Desired.NetworkPolicyAssert;

namespace Eventide.Operator.Tests.Desired;

public class QueryNetworkPolicyBuilderTests
{
    [Fact]
    public void Build_admits_the_ingress_namespace_to_the_query_port()
    {
        var policy = QueryNetworkPolicyBuilder.Build(Pipelines.Build(s => s.NetworkPolicies.IngressNamespace = "edge"))!;
        Assert.Equal("p-query", policy.Metadata.Name);
        Assert.Equal("query", policy.Spec.PodSelector.MatchLabels[Labels.Component]);
        Assert.Equal(["ns:kubernetes.io/metadata.name=edge TCP/8080"], Ingress(policy));
    }

    [Fact]
    public void Build_returns_null_when_network_policies_are_off()
    {
        Assert.Null(QueryNetworkPolicyBuilder.Build(Pipelines.Build(s => s.NetworkPolicies.Enabled = false)));
    }
}
