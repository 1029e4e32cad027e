using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

/// <summary>Reads a NetworkPolicy's rules as (peer, port) pairs, so tests state who may reach what.</summary>
internal static class NetworkPolicyAssert
{
    public static string Describe(V1NetworkPolicyPeer? peer) => peer switch
    {
        null => "anywhere",
        { IpBlock: { } ip } => $"cidr:{ip.Cidr}",
        { NamespaceSelector: { } ns, PodSelector: { } pods } => $"ns:{Labels(ns)}+pods:{Labels(pods)}",
        { NamespaceSelector: { } ns } => $"ns:{Labels(ns)}",
        { PodSelector: { } pods } => $"pods:{Labels(pods)}",
        _ => "?",
    };

    public static HashSet<string> Ingress(V1NetworkPolicy policy) =>
        [.. from rule in policy.Spec.Ingress ?? []
            from peer in rule.FromProperty ?? [null]
            from port in rule.Ports
            select $"{Describe(peer)} {port.Protocol}/{port.Port}"];

    public static HashSet<string> Egress(V1NetworkPolicy policy) =>
        [.. from rule in policy.Spec.Egress ?? []
            from peer in rule.To ?? [null]
            from port in rule.Ports
            select $"{Describe(peer)} {port.Protocol}/{port.Port}"];

    private static string Labels(V1LabelSelector s) =>
        string.Join(",", (s.MatchLabels ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
}
