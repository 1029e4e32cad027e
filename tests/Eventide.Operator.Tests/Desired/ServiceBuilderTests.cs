using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class ServiceBuilderTests
{
    [Fact]
    public void Build_selects_the_role_pods_on_the_http_port()
    {
        var svc = ServiceBuilder.Build(Pipelines.Build(), Role.Ingestion);
        Assert.Equal("ingestion", svc.Spec.Selector[Labels.Component]);
        Assert.Equal(8080, svc.Spec.Ports.Single().Port);
    }
}
