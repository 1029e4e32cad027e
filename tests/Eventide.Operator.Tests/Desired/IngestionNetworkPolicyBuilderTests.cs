using Eventide.Operator.Desired;
using static Eventide.Operator.Tests.Desired.NetworkPolicyAssert;

namespace Eventide.Operator.Tests.Desired;

public class IngestionNetworkPolicyBuilderTests
{
    [Fact]
    public void Build_opens_the_http_and_grpc_ports_to_every_source()
    {
        var policy = IngestionNetworkPolicyBuilder.Build(Pipelines.Build(s => s.Ingestion.Grpc.Port = 9000))!;
        Assert.Equal("p-ingestion", policy.Metadata.Name);
        Assert.Equal("ingestion", policy.Spec.PodSelector.MatchLabels[Labels.Component]);
        Assert.Equal(["anywhere TCP/8080", "anywhere TCP/9000"], Ingress(policy));
    }

    [Fact]
    public void Build_leaves_the_grpc_port_closed_when_grpc_is_off()
    {
        Assert.Equal(["anywhere TCP/8080"], Ingress(IngestionNetworkPolicyBuilder.Build(Pipelines.Build(s => s.Ingestion.Grpc.Enabled = false))!));
    }

    [Fact]
    public void Build_returns_null_when_network_policies_are_off()
    {
        Assert.Null(IngestionNetworkPolicyBuilder.Build(Pipelines.Build(s => s.NetworkPolicies.Enabled = false)));
    }
}
