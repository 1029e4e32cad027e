namespace Eventide.Operator.Resources;

public sealed class LagStatus
{
    public long TotalEvents { get; set; }

    public double MaxAgeSeconds { get; set; }

    public string? ObservedAt { get; set; }
}
