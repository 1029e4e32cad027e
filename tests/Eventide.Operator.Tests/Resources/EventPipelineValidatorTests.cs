using Eventide.Operator.Resources;
using Eventide.Operator.Tests.Desired;

namespace Eventide.Operator.Tests.Resources;

public class EventPipelineValidatorTests
{
    private static IReadOnlyList<string> Errors(Action<EventPipelineSpec> edit) => EventPipelineValidator.Validate(Pipelines.Build(edit));

    [Fact]
    public void Validate_accepts_the_defaults()
    {
        Assert.Empty(EventPipelineValidator.Validate(Pipelines.Build()));
    }

    [Theory]
    [InlineData("cluster-tls")]
    [InlineData("certs.eventide")]
    public void Validate_accepts_a_dns_1123_tls_secret_name(string name)
    {
        Assert.Empty(Errors(s => s.Processor.Cluster.Tls.SecretName = name));
    }

    [Theory]
    [InlineData("Cluster_TLS")]
    [InlineData("-certs")]
    [InlineData("")]
    public void Validate_refuses_a_tls_secret_name_that_is_not_dns_1123(string name)
    {
        Assert.Contains(Errors(s => s.Processor.Cluster.Tls.SecretName = name), e => e.StartsWith("processor.cluster.tls.secretName", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8080)]
    [InlineData(4053)]
    [InlineData(70000)]
    public void Validate_refuses_a_grpc_port_that_collides_or_is_out_of_range(int port)
    {
        Assert.Contains(Errors(s => s.Ingestion.Grpc.Port = port), e => e.StartsWith("ingestion.grpc.port", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_refuses_a_grpc_ingress_without_host_or_without_grpc()
    {
        Assert.Contains(Errors(s => s.Ingestion.Grpc.Ingress.Enabled = true), e => e.StartsWith("ingestion.grpc.ingress.host", StringComparison.Ordinal));
        Assert.Contains(Errors(s => { s.Ingestion.Grpc.Enabled = false; s.Ingestion.Grpc.Ingress.Enabled = true; s.Ingestion.Grpc.Ingress.Host = "h"; }),
            e => e == "ingestion.grpc.ingress needs ingestion.grpc.enabled");
        Assert.Contains(Errors(s => s.Ingestion.Grpc.MaxInFlightBatches = 0), e => e.StartsWith("ingestion.grpc.maxInFlightBatches", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_refuses_bad_network_policy_settings()
    {
        Assert.Contains(Errors(s => s.NetworkPolicies.MonitoringNamespace = "Monitoring"), e => e.StartsWith("networkPolicies.monitoringNamespace", StringComparison.Ordinal));
        Assert.Contains(Errors(s => s.NetworkPolicies.DatabaseCidr = "10.0.0.0/99"), e => e.StartsWith("networkPolicies.databaseCidr", StringComparison.Ordinal));
        Assert.Contains(Errors(s => s.NetworkPolicies.DatabasePort = 0), e => e.StartsWith("networkPolicies.databasePort", StringComparison.Ordinal));
        Assert.Empty(Errors(s => s.NetworkPolicies.DatabaseCidr = "fd00::/8"));
    }
}
