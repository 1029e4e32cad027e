using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>A ClusterIP Service per role: the API for ingestion and query, /metrics for all.</summary>
public static class ServiceBuilder
{
    public static JsonObject Build(EventPipeline p, Role role) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata.For(p, Names.Component(p, role), role),
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["selector"] = Labels.Selector(p, role),
            ["ports"] = new JsonArray
            {
                new JsonObject
                {
                    ["name"] = Names.PortName,
                    ["port"] = Names.Port,
                    ["targetPort"] = Names.PortName,
                    ["protocol"] = "TCP",
                },
            },
        },
    };
}
