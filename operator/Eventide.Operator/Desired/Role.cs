namespace Eventide.Operator.Desired;

/// <summary>A data-plane role: one Deployment (and Service, PDB) each, all from the same image.</summary>
public sealed record Role(string Name, string DefaultCpuRequest, string DefaultMemoryRequest, string DefaultMemoryLimit)
{
    public static readonly Role Ingestion = new("ingestion", "250m", "256Mi", "512Mi");
    public static readonly Role Processor = new("processor", "500m", "512Mi", "1Gi");
    public static readonly Role Query = new("query", "250m", "256Mi", "512Mi");

    public static IReadOnlyList<Role> All { get; } = [Ingestion, Processor, Query];
}
