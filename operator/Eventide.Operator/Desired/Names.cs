using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>Names of owned objects, derived from the pipeline name so that they are stable across reconciles.</summary>
public static class Names
{
    public const string Container = "eventide";
    public const string PortName = "http";
    public const int Port = 8080;

    /// <summary>Akka.Remote between processor members; the data plane's default remoting port.</summary>
    public const string RemotingPortName = "remoting";
    public const int RemotingPort = 4053;

    public const string GrpcPortName = "grpc";

    /// <summary>The Akka actor system every member runs; part of every member address.</summary>
    public const string ActorSystem = "eventide";

    public static string ServiceAccount(EventPipeline p) => p.Name;

    public static string ConfigMap(EventPipeline p) => $"{p.Name}-config";

    public static string Component(EventPipeline p, DataPlaneRole role) => $"{p.Name}-{role.Name}";

    public static string Ingress(EventPipeline p) => p.Name;

    public static string GrpcIngress(EventPipeline p) => $"{p.Name}-ingestion-grpc";

    /// <summary>The headless Service that gives every processor pod a stable DNS name.</summary>
    public static string ProcessorHeadless(EventPipeline p) => $"{Component(p, DataPlaneRole.Processor)}-headless";

    /// <summary>The stable DNS name of processor pod <paramref name="ordinal"/> of the StatefulSet.</summary>
    public static string ProcessorPodHost(EventPipeline p, int ordinal) =>
        $"{Component(p, DataPlaneRole.Processor)}-{ordinal}.{ProcessorHeadless(p)}.{p.Namespace}.svc.cluster.local";

    public static string NetworkPolicy(EventPipeline p, string purpose) => $"{p.Name}-{purpose}";

    public static string ServiceMonitor(EventPipeline p) => p.Name;

    public static string KedaAuthentication(EventPipeline p) => $"{p.Name}-processor-db";

    /// <summary>In-cluster URL of a role's Service.</summary>
    public static string ServiceUrl(EventPipeline p, DataPlaneRole role) =>
        $"http://{Component(p, role)}.{p.Namespace}.svc:{Port}";
}
