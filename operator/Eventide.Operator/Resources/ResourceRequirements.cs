namespace Eventide.Operator.Resources;

/// <summary>Container requests and limits, quantities as Kubernetes strings ("250m", "256Mi").</summary>
public sealed class ResourceRequirements
{
    public Dictionary<string, string>? Requests { get; set; }

    public Dictionary<string, string>? Limits { get; set; }
}
