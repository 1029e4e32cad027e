using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Ingestion.Tests.Grpc;

/// <summary>One test event, rendered both as the HTTP API's JSON and as the gRPC message, so both transports get the same input.</summary>
public sealed record TestEvent(string? Site, string? Name, string? Id = null, DateTimeOffset? Time = null, string? Path = null, string? Properties = null)
{
    public V1.Event ToProto() => new()
    {
        SiteId = Site ?? "",
        Name = Name ?? "",
        EventId = Id ?? "",
        Timestamp = Time is { } t ? Timestamp.FromDateTimeOffset(t) : null,
        Path = Path ?? "",
        PropertiesJson = Properties ?? "",
    };

    public string ToJson()
    {
        var fields = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                fields.Add($"\"{name}\":{JsonSerializer.Serialize(value)}");
            }
        }
        Add("site_id", Site);
        Add("name", Name);
        Add("event_id", Id);
        Add("timestamp", Time?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
        Add("path", Path);
        if (Properties is not null)
        {
            fields.Add($"\"properties\":{Properties}");
        }
        return "{" + string.Join(',', fields) + "}";
    }

    public static string JsonArray(IEnumerable<TestEvent> events) => "[" + string.Join(',', events.Select(e => e.ToJson())) + "]";

    public static V1.EventBatch Batch(string batchId, IEnumerable<TestEvent> events)
    {
        var batch = new V1.EventBatch { BatchId = batchId };
        batch.Events.AddRange(events.Select(e => e.ToProto()));
        return batch;
    }

    /// <summary>Small valid events of a site with fresh ids.</summary>
    public static List<TestEvent> Valid(int count, string prefix, string site = "demo") =>
        [.. Enumerable.Range(0, count).Select(i => new TestEvent(site, "pageview", $"{prefix}-{i}-{Guid.NewGuid():N}", Path: "/p/" + i))];

    /// <summary>Deep JSON: an object nesting <paramref name="depth"/> levels.</summary>
    public static string Nested(int depth)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append("{\"a\":");
        }
        text.Append('1');
        text.Append('}', depth);
        return text.ToString();
    }
}
