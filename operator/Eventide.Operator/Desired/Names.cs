using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>Names of owned objects, derived from the pipeline name so that they are stable across reconciles.</summary>
public static class Names
{
    public const string Container = "eventide";
    public const string PortName = "http";
    public const int Port = 8080;

    public static string ServiceAccount(EventPipeline p) => p.Name;

    public static string ConfigMap(EventPipeline p) => $"{p.Name}-config";

    public static string Component(EventPipeline p, Role role) => $"{p.Name}-{role.Name}";

    public static string Ingress(EventPipeline p) => p.Name;

    public static string ServiceMonitor(EventPipeline p) => p.Name;

    public static string KedaAuthentication(EventPipeline p) => $"{p.Name}-processor-db";

    /// <summary>In-cluster URL of a role's Service.</summary>
    public static string ServiceUrl(EventPipeline p, Role role) =>
        $"http://{Component(p, role)}.{p.Namespace}.svc:{Port}";
}
