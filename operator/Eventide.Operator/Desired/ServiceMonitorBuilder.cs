using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>A Prometheus Operator ServiceMonitor over every role's Service, only when asked for and its CRD exists.</summary>
public static class ServiceMonitorBuilder
{
    public static JsonObject? Build(EventPipeline p, ObservedState observed)
    {
        if (!p.Spec.Monitoring.ServiceMonitor || !observed.ServiceMonitorAvailable)
        {
            return null;
        }
        return new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1",
            ["kind"] = "ServiceMonitor",
            ["metadata"] = Metadata.For(p, Names.ServiceMonitor(p), null),
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = Labels.Selector(p, null) },
                ["endpoints"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["port"] = Names.PortName,
                        ["path"] = "/metrics",
                        ["interval"] = p.Spec.Monitoring.Interval,
                    },
                },
            },
        };
    }
}
