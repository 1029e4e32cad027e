using Eventide.Operator.Kubernetes.Models;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>A Prometheus Operator ServiceMonitor over every role's Service, only when asked for and its CRD exists.</summary>
public static class ServiceMonitorBuilder
{
    public static ServiceMonitor? Build(EventPipeline p, ObservedState observed)
    {
        if (!p.Spec.Monitoring.ServiceMonitor || !observed.ServiceMonitorAvailable)
        {
            return null;
        }
        return new ServiceMonitor
        {
            Metadata = Metadata.For(p, Names.ServiceMonitor(p), null),
            Spec = new ServiceMonitorSpec
            {
                Selector = new V1LabelSelector { MatchLabels = Labels.Selector(p, null) },
                Endpoints = [new ServiceMonitorEndpoint { Port = Names.PortName, Path = "/metrics", Interval = p.Spec.Monitoring.Interval }],
            },
        };
    }
}
