using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>
/// The processor StatefulSet's governing Service: no cluster IP, one DNS
/// record per pod, which is each member's Akka address.
/// </summary>
public static class HeadlessServiceBuilder
{
    public static V1Service Build(EventPipeline p) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata.For(p, Names.ProcessorHeadless(p), DataPlaneRole.Processor),
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            // A member must be reachable by name before it is ready: readiness waits for
            // membership, and membership needs the seeds to reach it.
            PublishNotReadyAddresses = true,
            Selector = Labels.Selector(p, DataPlaneRole.Processor),
            Ports = [new V1ServicePort { Name = Names.RemotingPortName, Port = Names.RemotingPort, TargetPort = Names.RemotingPortName, Protocol = "TCP" }],
        },
    };
}
