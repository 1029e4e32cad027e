namespace Eventide.Operator.Desired;

/// <summary>
/// What the builders need to know about the cluster beyond the spec: facts read from the
/// cluster, never a decision of this reconcile (the processor count the autoscaler chose is the
/// reconciler's own, set through the scale subresource, and no builder renders it).
/// </summary>
/// <param name="ServiceMonitorAvailable">Whether the monitoring.coreos.com ServiceMonitor CRD is installed.</param>
public sealed record ObservedState(bool ServiceMonitorAvailable)
{
    public static readonly ObservedState Initial = new(false);
}
