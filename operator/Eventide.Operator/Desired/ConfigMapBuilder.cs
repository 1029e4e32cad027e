using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>The non-secret configuration, as the environment variables the data plane binds.</summary>
public static class ConfigMapBuilder
{
    public static JsonObject Build(EventPipeline p) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = Metadata.For(p, Names.ConfigMap(p), null),
        ["data"] = Data(p),
    };

    public static JsonObject Data(EventPipeline p)
    {
        var s = p.Spec;
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["Eventide__Database__Timescale"] = s.Database.Timescale,
            ["Eventide__Shards"] = I(s.Shards),
            ["Eventide__Retention__Days"] = I(s.Retention.Days),
            ["Eventide__Processor__BatchSize"] = I(s.Processor.BatchSize),
            ["Eventide__Processor__FlushIntervalMs"] = I(s.Processor.FlushIntervalMs),
            ["Eventide__Processor__DedupeWindowHours"] = I(s.Processor.DedupeWindowHours),
            ["Eventide__Ingestion__RateLimitPerSecond"] = I(s.Ingestion.RateLimit.PerSecond),
            ["Eventide__Ingestion__RateLimitBurst"] = I(s.Ingestion.RateLimit.Burst),
        };
    }

    /// <summary>
    /// Pods read the ConfigMap only at start, so the pod template carries this hash:
    /// a configuration change changes the template and rolls the pods.
    /// </summary>
    public static string Hash(EventPipeline p)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(Data(p).ToJsonString()));
        return Convert.ToHexStringLower(bytes)[..16];
    }
}
