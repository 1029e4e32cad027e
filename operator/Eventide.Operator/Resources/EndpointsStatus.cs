namespace Eventide.Operator.Resources;

public sealed class EndpointsStatus
{
    public string? Ingestion { get; set; }

    public string? Query { get; set; }

    public string? Ingress { get; set; }
}
