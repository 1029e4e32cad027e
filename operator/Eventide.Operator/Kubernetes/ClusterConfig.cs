using k8s;

namespace Eventide.Operator.Kubernetes;

/// <summary>Where the operator finds its cluster: KubernetesClient's own kubeconfig and in-cluster loaders.</summary>
public static class ClusterConfig
{
    /// <summary>
    /// An explicit kubeconfig wins; else the pod's service account when running in a
    /// cluster; else $KUBECONFIG or ~/.kube/config (exec credential plugins included).
    /// </summary>
    public static KubernetesClientConfiguration Load(string? kubeconfig, string? context) =>
        kubeconfig is null && KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
}
