using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>Optional Ingress: event intake to ingestion, everything else to query.</summary>
public static class IngressBuilder
{
    public static JsonObject? Build(EventPipeline p)
    {
        var ingress = p.Spec.Ingestion.Ingress;
        if (!ingress.Enabled || string.IsNullOrEmpty(ingress.Host))
        {
            return null;
        }
        var spec = new JsonObject();
        if (ingress.ClassName is { } className)
        {
            spec["ingressClassName"] = className;
        }
        if (ingress.TlsSecretName is { } tls)
        {
            spec["tls"] = new JsonArray
            {
                new JsonObject { ["hosts"] = new JsonArray { ingress.Host }, ["secretName"] = tls },
            };
        }
        spec["rules"] = new JsonArray
        {
            new JsonObject
            {
                ["host"] = ingress.Host,
                ["http"] = new JsonObject
                {
                    ["paths"] = new JsonArray
                    {
                        Path("/v1/events", Names.Component(p, Role.Ingestion)),
                        Path("/", Names.Component(p, Role.Query)),
                    },
                },
            },
        };
        return new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "Ingress",
            ["metadata"] = Metadata.For(p, Names.Ingress(p), null),
            ["spec"] = spec,
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

    private static JsonObject Path(string path, string service) => new()
    {
        ["path"] = path,
        ["pathType"] = "Prefix",
        ["backend"] = new JsonObject
        {
            ["service"] = new JsonObject
            {
                ["name"] = service,
                ["port"] = new JsonObject { ["name"] = Names.PortName },
            },
        },
    };
}
