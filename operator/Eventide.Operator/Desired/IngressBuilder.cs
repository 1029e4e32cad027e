using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>Optional Ingress: event intake to ingestion, everything else to query.</summary>
public static class IngressBuilder
{
    public static V1Ingress? Build(EventPipeline p)
    {
        var ingress = p.Spec.Ingestion.Ingress;
        if (!ingress.Enabled || string.IsNullOrEmpty(ingress.Host))
        {
            return null;
        }
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = Metadata.For(p, Names.Ingress(p), null),
            Spec = new V1IngressSpec
            {
                IngressClassName = ingress.ClassName,
                Tls = ingress.TlsSecretName is { } tls ? [new V1IngressTLS { Hosts = [ingress.Host], SecretName = tls }] : null,
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = ingress.Host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths = [Path("/v1/events", Names.Component(p, DataPlaneRole.Ingestion)), Path("/", Names.Component(p, DataPlaneRole.Query))],
                        },
                    },
                ],
            },
        };
    }

    /// <summary>The public URL of the pipeline, or null without an ingress.</summary>
    public static string? Url(EventPipeline p)
    {
        var ingress = p.Spec.Ingestion.Ingress;
        if (!ingress.Enabled || string.IsNullOrEmpty(ingress.Host))
        {
            return null;
        }
        return (ingress.TlsSecretName is null ? "http://" : "https://") + ingress.Host;
    }

    private static V1HTTPIngressPath Path(string path, string service) => new()
    {
        Path = path,
        PathType = "Prefix",
        Backend = new V1IngressBackend
        {
            Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Name = Names.PortName } },
        },
    };
}
