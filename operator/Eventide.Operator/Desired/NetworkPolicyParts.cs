using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>The pieces every NetworkPolicy builder is made of, so the policies read as their rules.</summary>
public static class NetworkPolicyParts
{
    /// <summary>Set by Kubernetes on every namespace (1.21+), so a namespace can be selected by name without labelling it.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>The label the chart and the kustomize base give the operator's pods.</summary>
    public const string OperatorPodLabelValue = "eventide-operator";

    public static bool Enabled(EventPipeline p) => p.Spec.NetworkPolicies.Enabled;

    public static V1NetworkPolicy Policy(EventPipeline p, string purpose, DataPlaneRole? role, V1NetworkPolicySpec spec) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Metadata.For(p, Names.NetworkPolicy(p, purpose), role),
        Spec = spec,
    };

    /// <summary>The pods of one role of this pipeline, or all its pods when <paramref name="role"/> is null.</summary>
    public static V1LabelSelector Pods(EventPipeline p, DataPlaneRole? role) => new() { MatchLabels = Labels.Selector(p, role) };

    public static V1NetworkPolicyPeer Namespace(string name) => new()
    {
        NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NamespaceNameLabel] = name } },
    };

    /// <summary>Pods of this pipeline, in its own namespace (a peer with only a pod selector means that).</summary>
    public static V1NetworkPolicyPeer PipelinePods(EventPipeline p, DataPlaneRole? role) => new() { PodSelector = Pods(p, role) };

    public static V1NetworkPolicyPeer OperatorPods(EventPipeline p) => new()
    {
        NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NamespaceNameLabel] = p.Spec.NetworkPolicies.OperatorNamespace } },
        PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [Labels.Name] = OperatorPodLabelValue } },
    };

    public static V1NetworkPolicyPort Tcp(int port) => new() { Protocol = "TCP", Port = port };

    public static V1NetworkPolicyPort Udp(int port) => new() { Protocol = "UDP", Port = port };
}
