using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>
/// Optional Ingress for gRPC ingestion. It is its own object because the
/// backend protocol is an annotation of the whole Ingress: on the HTTP
/// Ingress it would make the controller speak gRPC to the query API too.
/// </summary>
public static class GrpcIngressBuilder
{
    public const string BackendProtocolAnnotation = "nginx.ingress.kubernetes.io/backend-protocol";

    public static V1Ingress? Build(EventPipeline p)
    {
        var grpc = p.Spec.Ingestion.Grpc;
        var ingress = grpc.Ingress;
        if (!grpc.Enabled || !ingress.Enabled || string.IsNullOrEmpty(ingress.Host))
        {
            return null;
        }
        var metadata = Metadata.For(p, Names.GrpcIngress(p), DataPlaneRole.Ingestion);
        var annotations = new SortedDictionary<string, string>(ingress.Annotations ?? [], StringComparer.Ordinal)
        {
            [BackendProtocolAnnotation] = "GRPC",
        };
        metadata.Annotations = annotations;
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = metadata,
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
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    // gRPC methods are paths (/eventide.v1.Ingest/Stream, health, reflection): route them all.
                                    Path = "/",
                                    PathType = "Prefix",
                                    Backend = new V1IngressBackend
                                    {
                                        Service = new V1IngressServiceBackend { Name = Names.Component(p, DataPlaneRole.Ingestion), Port = new V1ServiceBackendPort { Name = Names.GrpcPortName } },
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
        };
    }
}
