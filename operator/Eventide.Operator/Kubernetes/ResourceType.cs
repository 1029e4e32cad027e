namespace Eventide.Operator.Kubernetes;

/// <summary>Where a kind lives in the REST API.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public static readonly ResourceType EventPipeline = new(Resources.EventPipeline.Group, Resources.EventPipeline.Version, Resources.EventPipeline.Plural, Resources.EventPipeline.KindValue, true);
    public static readonly ResourceType ServiceAccount = new("", "v1", "serviceaccounts", "ServiceAccount", true);
    public static readonly ResourceType ConfigMap = new("", "v1", "configmaps", "ConfigMap", true);
    public static readonly ResourceType Secret = new("", "v1", "secrets", "Secret", true);
    public static readonly ResourceType Service = new("", "v1", "services", "Service", true);
    public static readonly ResourceType Deployment = new("apps", "v1", "deployments", "Deployment", true);
    public static readonly ResourceType PodDisruptionBudget = new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true);
    public static readonly ResourceType HorizontalPodAutoscaler = new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true);
    public static readonly ResourceType Ingress = new("networking.k8s.io", "v1", "ingresses", "Ingress", true);
    public static readonly ResourceType ServiceMonitor = new("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor", true);
    public static readonly ResourceType ScaledObject = new("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject", true);
    public static readonly ResourceType TriggerAuthentication = new("keda.sh", "v1alpha1", "triggerauthentications", "TriggerAuthentication", true);
    public static readonly ResourceType Lease = new("coordination.k8s.io", "v1", "leases", "Lease", true);
    public static readonly ResourceType CustomResourceDefinition = new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false);

    private static readonly ResourceType[] Known =
    [
        EventPipeline, ServiceAccount, ConfigMap, Secret, Service, Deployment, PodDisruptionBudget,
        HorizontalPodAutoscaler, Ingress, ServiceMonitor, ScaledObject, TriggerAuthentication, Lease, CustomResourceDefinition,
    ];

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The type of a known object, from its apiVersion and kind.</summary>
    public static ResourceType For(string apiVersion, string kind) =>
        Array.Find(Known, t => t.ApiVersion == apiVersion && t.Kind == kind)
        ?? throw new ArgumentException($"The operator does not know {apiVersion} {kind}.");

    /// <summary>The REST path of the collection or, with a name, of one object (and its subresource).</summary>
    public string Path(string? ns, string? name = null, string? subresource = null)
    {
        var path = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        if (Namespaced && ns is not null)
        {
            path += $"/namespaces/{Uri.EscapeDataString(ns)}";
        }
        path += $"/{Plural}";
        if (name is not null)
        {
            path += $"/{Uri.EscapeDataString(name)}";
            if (subresource is not null)
            {
                path += $"/{subresource}";
            }
        }
        return path;
    }
}
