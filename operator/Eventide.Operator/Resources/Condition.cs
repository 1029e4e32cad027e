namespace Eventide.Operator.Resources;

/// <summary>A metav1.Condition.</summary>
public sealed class Condition
{
    public string Type { get; set; } = "";

    public string Status { get; set; } = Conditions.Unknown;

    public long ObservedGeneration { get; set; }

    public string LastTransitionTime { get; set; } = "";

    public string Reason { get; set; } = "";

    public string Message { get; set; } = "";
}
