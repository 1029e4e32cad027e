using Eventide.Operator.Desired;
using static Eventide.Operator.Tests.Desired.NetworkPolicyAssert;

namespace Eventide.Operator.Tests.Desired;

public class ProcessorNetworkPolicyBuilderTests
{
    private const string Processors = "pods:app.kubernetes.io/component=processor,app.kubernetes.io/instance=p,app.kubernetes.io/name=eventide";

    [Fact]
    public void Build_lets_only_this_pipelines_processors_reach_the_remoting_port()
    {
        var policy = ProcessorNetworkPolicyBuilder.Build(Pipelines.Build())!;
        Assert.Equal("p-processor-remoting", policy.Metadata.Name);
        Assert.Equal("processor", policy.Spec.PodSelector.MatchLabels[Labels.Component]);
        Assert.Equal(["Ingress", "Egress"], policy.Spec.PolicyTypes);
        Assert.Equal([$"{Processors} TCP/4053"], Ingress(policy));
        Assert.Equal([$"{Processors} TCP/4053"], Egress(policy));
    }

    [Fact]
    public void Build_returns_null_when_network_policies_are_off()
    {
        Assert.Null(ProcessorNetworkPolicyBuilder.Build(Pipelines.Build(s => s.NetworkPolicies.Enabled = false)));
    }
}
