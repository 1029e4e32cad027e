using Eventide.Operator.Desired;
using static Eventide.Operator.Tests.Desired.NetworkPolicyAssert;

namespace Eventide.Operator.Tests.Desired;

public class MetricsNetworkPolicyBuilderTests
{
    [Fact]
    public void Build_admits_monitoring_and_the_operators_pods_to_every_pods_http_port()
    {
        var policy = MetricsNetworkPolicyBuilder.Build(Pipelines.Build(s => { s.NetworkPolicies.MonitoringNamespace = "prom"; s.NetworkPolicies.OperatorNamespace = "ops"; }))!;
        Assert.Equal("p-metrics", policy.Metadata.Name);
        Assert.False(policy.Spec.PodSelector.MatchLabels.ContainsKey(Labels.Component));
        Assert.Equal("p", policy.Spec.PodSelector.MatchLabels[Labels.Instance]);
        Assert.Equal(
            ["ns:kubernetes.io/metadata.name=prom TCP/8080", "ns:kubernetes.io/metadata.name=ops+pods:app.kubernetes.io/name=eventide-operator TCP/8080"],
            Ingress(policy));
    }

    [Fact]
    public void Build_returns_null_when_network_policies_are_off()
    {
        Assert.Null(MetricsNetworkPolicyBuilder.Build(Pipelines.Build(s => s.NetworkPolicies.Enabled = false)));
    }
}
