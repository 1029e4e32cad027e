using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>A ClusterIP Service per role: the API for ingestion (HTTP and gRPC) and query, /metrics for all.</summary>
public static class ServiceBuilder
{
    public static V1Service Build(EventPipeline p, DataPlaneRole role) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata.For(p, Names.Component(p, role), role),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = Labels.Selector(p, role),
            Ports = Ports(p, role),
        },
    };

    private static List<V1ServicePort> Ports(EventPipeline p, DataPlaneRole role)
    {
        List<V1ServicePort> ports = [new V1ServicePort { Name = Names.PortName, Port = Names.Port, TargetPort = Names.PortName, Protocol = "TCP", AppProtocol = "http" }];
        if (role == DataPlaneRole.Ingestion && p.Spec.Ingestion.Grpc.Enabled)
        {
            // appProtocol tells meshes and gateways to speak HTTP/2 (gRPC) to the pods.
            ports.Add(new V1ServicePort { Name = Names.GrpcPortName, Port = p.Spec.Ingestion.Grpc.Port, TargetPort = Names.GrpcPortName, Protocol = "TCP", AppProtocol = "grpc" });
        }
        return ports;
    }
}
