namespace Eventide.Operator.Resources;

public sealed class MonitoringSpec
{
    /// <summary>Emit a ServiceMonitor when the monitoring.coreos.com CRD exists.</summary>
    public bool ServiceMonitor { get; set; }

    public string Interval { get; set; } = "30s";
}
