using System.Net;
using System.Text.RegularExpressions;
using Eventide.Operator.Desired;

namespace Eventide.Operator.Resources;

/// <summary>
/// The CRD's validation rules, repeated for objects that never met the API
/// server (<c>render -f</c>) and as a guard in the reconciler.
/// </summary>
public static partial class EventPipelineValidator
{
    public static IReadOnlyList<string> Validate(EventPipeline p)
    {
        var errors = new List<string>();
        var s = p.Spec;
        if (string.IsNullOrEmpty(p.Name))
        {
            errors.Add("metadata.name is required");
        }
        if (string.IsNullOrEmpty(s.Image))
        {
            errors.Add("spec.image is required");
        }
        if (string.IsNullOrEmpty(s.Database.SecretRef.Name))
        {
            errors.Add("spec.database.secretRef.name is required");
        }
        if (string.IsNullOrEmpty(s.AdminTokenSecretRef.Name))
        {
            errors.Add("spec.adminTokenSecretRef.name is required");
        }
        if (s.Database.Timescale is not ("required" or "auto" or "off"))
        {
            errors.Add("spec.database.timescale must be required, auto or off");
        }
        if (s.Shards is < 1 or > 4096)
        {
            errors.Add("spec.shards must be between 1 and 4096");
        }
        if (s.Processor.MinReplicas > s.Processor.MaxReplicas)
        {
            errors.Add("processor.minReplicas must not exceed processor.maxReplicas");
        }
        if (s.Processor.MaxReplicas > s.Shards)
        {
            errors.Add("processor.maxReplicas must not exceed shards");
        }
        if (s.Ingestion.Replicas > s.Ingestion.MaxReplicas)
        {
            errors.Add("ingestion.replicas must not exceed ingestion.maxReplicas");
        }
        if (s.Query.Replicas > s.Query.MaxReplicas)
        {
            errors.Add("query.replicas must not exceed query.maxReplicas");
        }
        if (s.Ingestion.Ingress.Enabled && string.IsNullOrEmpty(s.Ingestion.Ingress.Host))
        {
            errors.Add("ingress.host is required when the ingress is enabled");
        }
        if (s.Processor.Autoscaling.Mode is not (AutoscalingModes.Lag or AutoscalingModes.Keda or AutoscalingModes.Off))
        {
            errors.Add("processor.autoscaling.mode must be Lag, KEDA or Off");
        }
        var grpc = s.Ingestion.Grpc;
        if (grpc.Port is < 1 or > 65535 || grpc.Port == Names.Port || grpc.Port == Names.RemotingPort)
        {
            errors.Add($"ingestion.grpc.port must be between 1 and 65535 and differ from {Names.Port} and {Names.RemotingPort}");
        }
        if (grpc.MaxInFlightBatches is < 1 or > 1024)
        {
            errors.Add("ingestion.grpc.maxInFlightBatches must be between 1 and 1024");
        }
        if (grpc.Ingress.Enabled && string.IsNullOrEmpty(grpc.Ingress.Host))
        {
            errors.Add("ingestion.grpc.ingress.host is required when the gRPC ingress is enabled");
        }
        if (grpc.Ingress.Enabled && !grpc.Enabled)
        {
            errors.Add("ingestion.grpc.ingress needs ingestion.grpc.enabled");
        }
        if (s.Processor.Cluster.Tls.SecretName is { } tls && !IsDns1123Subdomain(tls))
        {
            errors.Add("processor.cluster.tls.secretName must be a DNS-1123 name (lower-case letters, digits, '-' and '.', at most 253 characters)");
        }
        var policies = s.NetworkPolicies;
        foreach (var (field, ns) in new[] { ("monitoringNamespace", policies.MonitoringNamespace), ("ingressNamespace", policies.IngressNamespace), ("operatorNamespace", policies.OperatorNamespace) })
        {
            if (!IsDns1123Label(ns))
            {
                errors.Add($"networkPolicies.{field} must be a DNS-1123 label");
            }
        }
        if (policies.DatabasePort is < 1 or > 65535)
        {
            errors.Add("networkPolicies.databasePort must be between 1 and 65535");
        }
        if (policies.DatabaseCidr is { } cidr && !IPNetwork.TryParse(cidr, out _))
        {
            errors.Add("networkPolicies.databaseCidr must be a CIDR such as 10.0.0.0/16");
        }
        return errors;
    }

    private static bool IsDns1123Label(string value) =>
        value.Length is >= 1 and <= 63 && Dns1123Label().IsMatch(value);

    private static bool IsDns1123Subdomain(string value) =>
        value.Length is >= 1 and <= 253 && value.Split('.').All(IsDns1123Label);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();
}
