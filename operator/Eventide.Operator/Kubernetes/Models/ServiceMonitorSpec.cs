using k8s.Models;

namespace Eventide.Operator.Kubernetes.Models;

public sealed class ServiceMonitorSpec
{
    public V1LabelSelector? Selector { get; set; }

    public IList<ServiceMonitorEndpoint>? Endpoints { get; set; }
}
