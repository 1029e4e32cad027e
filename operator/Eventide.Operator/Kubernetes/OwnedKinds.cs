using Eventide.Operator.Kubernetes.Models;
using k8s;
using k8s.Models;

namespace Eventide.Operator.Kubernetes;

/// <summary>Every kind the operator applies. A new owned kind is one entry here, one builder and one reconcile step.</summary>
public static class OwnedKinds
{
    private const string Background = "Background";

    public static readonly OwnedKind<V1ServiceAccount> ServiceAccount = new("", "v1", "serviceaccounts", "ServiceAccount",
        (k, p, name, ns, fm, ct) => k.CoreV1.PatchNamespacedServiceAccountAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.CoreV1.DeleteNamespacedServiceAccountAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<V1ConfigMap> ConfigMap = new("", "v1", "configmaps", "ConfigMap",
        (k, p, name, ns, fm, ct) => k.CoreV1.PatchNamespacedConfigMapAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<V1Service> Service = new("", "v1", "services", "Service",
        (k, p, name, ns, fm, ct) => k.CoreV1.PatchNamespacedServiceAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.CoreV1.DeleteNamespacedServiceAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<V1Deployment> Deployment = new("apps", "v1", "deployments", "Deployment",
        (k, p, name, ns, fm, ct) => k.AppsV1.PatchNamespacedDeploymentAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<V1StatefulSet> StatefulSet = new("apps", "v1", "statefulsets", "StatefulSet",
        (k, p, name, ns, fm, ct) => k.AppsV1.PatchNamespacedStatefulSetAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.AppsV1.ReadNamespacedStatefulSetAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.AppsV1.DeleteNamespacedStatefulSetAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<V1PodDisruptionBudget> PodDisruptionBudget = new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget",
        (k, p, name, ns, fm, ct) => k.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<V2HorizontalPodAutoscaler> HorizontalPodAutoscaler = new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler",
        (k, p, name, ns, fm, ct) => k.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<V1Ingress> Ingress = new("networking.k8s.io", "v1", "ingresses", "Ingress",
        (k, p, name, ns, fm, ct) => k.NetworkingV1.PatchNamespacedIngressAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.NetworkingV1.ReadNamespacedIngressAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.NetworkingV1.DeleteNamespacedIngressAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<V1NetworkPolicy> NetworkPolicy = new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy",
        (k, p, name, ns, fm, ct) => k.NetworkingV1.PatchNamespacedNetworkPolicyAsync(p, name, ns, fieldManager: fm, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct),
        (k, name, ns, ct) => k.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, propagationPolicy: Background, cancellationToken: ct));

    public static readonly OwnedKind<ServiceMonitor> ServiceMonitor = OwnedKind<ServiceMonitor>.Custom("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor");

    public static readonly OwnedKind<ScaledObject> ScaledObject = OwnedKind<ScaledObject>.Custom("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject");

    public static readonly OwnedKind<TriggerAuthentication> TriggerAuthentication = OwnedKind<TriggerAuthentication>.Custom("keda.sh", "v1alpha1", "triggerauthentications", "TriggerAuthentication");
}
