using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>A ClusterIP Service per role: the API for ingestion and query, /metrics for all.</summary>
public static class ServiceBuilder
{
    public static V1Service Build(EventPipeline p, Role role) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata.For(p, Names.Component(p, role), role),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = Labels.Selector(p, role),
            Ports = [new V1ServicePort { Name = Names.PortName, Port = Names.Port, TargetPort = Names.PortName, Protocol = "TCP" }],
        },
    };
}
