namespace Eventide.Operator.Kubernetes.Models;

/// <summary>monitoring.coreos.com/v1 ServiceMonitor.</summary>
public sealed class ServiceMonitor : CustomObject<ServiceMonitorSpec>
{
    public ServiceMonitor()
    {
        ApiVersion = "monitoring.coreos.com/v1";
        Kind = "ServiceMonitor";
    }
}
