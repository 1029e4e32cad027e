using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class ServiceMonitorBuilderTests
{
    [Fact]
    public void Build_returns_null_unless_wanted_and_its_crd_exists()
    {
        Assert.Null(ServiceMonitorBuilder.Build(Pipelines.Build(), new ObservedState(true)));
        Assert.Null(ServiceMonitorBuilder.Build(Pipelines.Build(s => s.Monitoring.ServiceMonitor = true), new ObservedState(false)));
        var sm = ServiceMonitorBuilder.Build(Pipelines.Build(s => s.Monitoring.ServiceMonitor = true), new ObservedState(true))!;
        Assert.Equal("/metrics", sm.Spec.Endpoints!.Single().Path);
    }
}
