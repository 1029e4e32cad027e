using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class IngressBuilderTests
{
    [Fact]
    public void Build_returns_null_when_ingress_disabled()
    {
        Assert.Null(IngressBuilder.Build(Pipelines.Build()));
    }

    [Fact]
    public void Build_routes_events_to_ingestion_and_the_rest_to_query()
    {
        var ingress = IngressBuilder.Build(Pipelines.Build(s => s.Ingestion.Ingress = new IngressSpec { Enabled = true, Host = "e.example.com", TlsSecretName = "tls" }))!;
        var paths = ingress.Spec.Rules.Single().Http.Paths;
        Assert.Equal("p-ingestion", paths.Single(x => x.Path == "/v1/events").Backend.Service.Name);
        Assert.Equal("p-query", paths.Single(x => x.Path == "/").Backend.Service.Name);
        Assert.Equal("tls", ingress.Spec.Tls.Single().SecretName);
    }
}
