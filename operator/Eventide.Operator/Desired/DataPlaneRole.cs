namespace Eventide.Operator.Desired;

/// <summary>
/// A data-plane role as the operator deploys it: one workload (and Service, PDB) each, all from
/// the same image. Not a Kubernetes RBAC Role, and not the data plane's own role flags.
/// </summary>
public sealed record DataPlaneRole(string Name, string DefaultCpuRequest, string DefaultMemoryRequest, string DefaultMemoryLimit)
{
    public static readonly DataPlaneRole Ingestion = new("ingestion", "250m", "256Mi", "512Mi");
    public static readonly DataPlaneRole Processor = new("processor", "500m", "512Mi", "1Gi");
    public static readonly DataPlaneRole Query = new("query", "250m", "256Mi", "512Mi");

    public static IReadOnlyList<DataPlaneRole> All { get; } = [Ingestion, Processor, Query];
}
