namespace Eventide.Operator.Desired;

/// <summary>What the builders need to know about the cluster beyond the spec.</summary>
/// <param name="ProcessorReplicas">The processor count this reconcile sets through the StatefulSet's scale subresource (Lag and Off modes; null in KEDA mode). No builder renders it: the StatefulSet's apply leaves replicas out.</param>
/// <param name="ServiceMonitorAvailable">Whether the monitoring.coreos.com ServiceMonitor CRD is installed.</param>
public sealed record ObservedState(int? ProcessorReplicas, bool ServiceMonitorAvailable)
{
    public static readonly ObservedState Initial = new(null, false);
}
