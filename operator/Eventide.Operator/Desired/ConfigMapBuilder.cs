using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>The non-secret configuration, as the environment variables the data plane binds.</summary>
public static class ConfigMapBuilder
{
    public static V1ConfigMap Build(EventPipeline p) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Metadata.For(p, Names.ConfigMap(p), null),
        Data = Data(p),
    };

    public static SortedDictionary<string, string> Data(EventPipeline p)
    {
        var s = p.Spec;
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        // Sorted, so the rendered output and the config hash do not depend on insertion order.
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Eventide__Database__Timescale"] = s.Database.Timescale,
            ["Eventide__Shards"] = I(s.Shards),
            ["Eventide__Retention__Days"] = I(s.Retention.Days),
            ["Eventide__Processor__BatchSize"] = I(s.Processor.BatchSize),
            ["Eventide__Processor__FlushIntervalMs"] = I(s.Processor.FlushIntervalMs),
            ["Eventide__Processor__DedupeWindowHours"] = I(s.Processor.DedupeWindowHours),
            ["Eventide__Ingestion__RateLimitPerSecond"] = I(s.Ingestion.RateLimit.PerSecond),
            ["Eventide__Ingestion__RateLimitBurst"] = I(s.Ingestion.RateLimit.Burst),
            // Only the ingestion role opens the gRPC listener; the others ignore the setting.
            ["Eventide__Ingestion__GrpcListen"] = s.Ingestion.Grpc.Enabled ? $"http://0.0.0.0:{I(s.Ingestion.Grpc.Port)}" : "off",
            ["Eventide__Ingestion__GrpcMaxInFlightBatches"] = I(s.Ingestion.Grpc.MaxInFlightBatches),
        };
    }

    /// <summary>
    /// Pods read the ConfigMap only at start, so the pod template carries this hash:
    /// a configuration change changes the template and rolls the pods.
    /// </summary>
    public static string Hash(EventPipeline p)
    {
        var text = string.Join('\n', Data(p).Select(kv => $"{kv.Key}={kv.Value}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}
