using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class ServiceBuilderTests
{
    [Fact]
    public void Build_selects_the_role_pods_on_the_http_port()
    {
        var svc = ServiceBuilder.Build(Pipelines.Build(), DataPlaneRole.Query);
        Assert.Equal("query", svc.Spec.Selector[Labels.Component]);
        Assert.Equal(8080, svc.Spec.Ports.Single().Port);
    }

    [Fact]
    public void Build_gives_ingestion_a_grpc_port_with_the_grpc_app_protocol()
    {
        var svc = ServiceBuilder.Build(Pipelines.Build(s => s.Ingestion.Grpc.Port = 9090), DataPlaneRole.Ingestion);
        var grpc = svc.Spec.Ports.Single(p => p.Name == "grpc");
        Assert.Equal((9090, "grpc", "grpc"), (grpc.Port, (string)grpc.TargetPort, grpc.AppProtocol));
        Assert.Single(ServiceBuilder.Build(Pipelines.Build(s => s.Ingestion.Grpc.Enabled = false), DataPlaneRole.Ingestion).Spec.Ports);
    }
}
