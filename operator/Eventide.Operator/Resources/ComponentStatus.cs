namespace Eventide.Operator.Resources;

public sealed class ComponentStatus
{
    /// <summary>Replicas the operator (or an autoscaler) asks for.</summary>
    public int DesiredReplicas { get; set; }

    public int Replicas { get; set; }

    public int ReadyReplicas { get; set; }
}
