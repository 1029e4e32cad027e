using Eventide.Operator.Desired;

namespace Eventide.Operator.Tests.Desired;

public class HeadlessServiceBuilderTests
{
    [Fact]
    public void Build_publishes_every_processor_pod_on_the_remoting_port_ready_or_not()
    {
        var s = HeadlessServiceBuilder.Build(Pipelines.Build());
        Assert.Equal("p-processor-headless", s.Metadata.Name);
        Assert.Equal("None", s.Spec.ClusterIP);
        Assert.True(s.Spec.PublishNotReadyAddresses);
        Assert.Equal("processor", s.Spec.Selector[Labels.Component]);
        var port = Assert.Single(s.Spec.Ports);
        Assert.Equal(("remoting", 4053), (port.Name, port.Port));
    }
}
