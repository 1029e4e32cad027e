namespace Eventide.Operator.Desired;

/// <summary>What the builders need to know about the cluster beyond the spec.</summary>
/// <param name="ProcessorReplicas">Processor replicas chosen by the lag autoscaler (Lag mode); null means the minimum.</param>
/// <param name="ServiceMonitorAvailable">Whether the monitoring.coreos.com ServiceMonitor CRD is installed.</param>
public sealed record ObservedState(int? ProcessorReplicas, bool ServiceMonitorAvailable)
{
    public static readonly ObservedState Initial = new(null, false);
}
