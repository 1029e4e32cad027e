using k8s;
using k8s.Models;

namespace Eventide.Operator.Kubernetes.Models;

/// <summary>A custom resource of another project (Prometheus Operator, KEDA), typed by the few fields we set.</summary>
public abstract class CustomObject<TSpec> : IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>
    where TSpec : new()
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public TSpec Spec { get; set; } = new();
}
