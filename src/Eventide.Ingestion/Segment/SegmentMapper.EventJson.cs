using System.Runtime.InteropServices;
using System.Text.Json;

namespace Eventide.Ingestion.Segment;

public sealed partial class SegmentMapper
{
    private static void WriteEvent(Utf8JsonWriter w, JsonElement m, RequestState request)
    {
        var type = request.Type;
        var properties = request.Properties;
        var context = request.MessageContext;
        w.WriteStartObject();
        w.WriteString("site_id"u8, request.Site);
        switch (type)
        {
            case SegmentMessageType.Track:
                w.WritePropertyName("name"u8);
                m.GetProperty("event"u8).WriteTo(w);
                break;
            default:
                w.WriteString("name"u8, EventName(type));
                break;
        }
        if (m.TryGetProperty("messageId"u8, out var id) && id.ValueKind == JsonValueKind.String)
        {
            w.WritePropertyName("event_id"u8);
            id.WriteTo(w);
        }
        if (request.Timestamp is { } timestamp)
        {
            w.WriteString("timestamp"u8, timestamp.ToUniversalTime());
        }
        WriteIdentity(w, "user_id"u8, request.User.ValueKind != JsonValueKind.Undefined ? request.User : request.Anonymous);
        var page = context.ValueKind == JsonValueKind.Object && context.TryGetProperty("page"u8, out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        WriteFirstString(w, "path"u8, properties, page, "path"u8);
        WriteFirstString(w, "referrer"u8, properties, page, "referrer"u8);

        w.WriteStartObject("properties"u8);
        if (properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                property.WriteTo(w);
            }
        }
        if (context.ValueKind == JsonValueKind.Object)
        {
            // The message's own properties keep their names; a colliding Segment context moves aside.
            w.WritePropertyName(Has(properties, "context"u8) ? "$context"u8 : "context"u8);
            context.WriteTo(w);
        }
        switch (type)
        {
            case SegmentMessageType.Page or SegmentMessageType.Screen:
                CopyUnlessPresent(w, m, properties, "name"u8);
                CopyUnlessPresent(w, m, properties, "category"u8);
                break;
            case SegmentMessageType.Group:
                CopyUnlessPresent(w, m, properties, "groupId"u8);
                break;
            case SegmentMessageType.Alias:
                CopyUnlessPresent(w, m, properties, "previousId"u8);
                break;
            default:
                break;
        }
        if (request.User.ValueKind != JsonValueKind.Undefined && request.Anonymous.ValueKind != JsonValueKind.Undefined && !Has(properties, "anonymousId"u8))
        {
            // user_id holds the userId; keep the anonymous id so the two can be joined.
            WriteIdentity(w, "anonymousId"u8, request.Anonymous);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A userId or anonymousId: a non-empty string, or a number (some SDKs send numeric ids); undefined otherwise.</summary>
    private static JsonElement Identity(JsonElement m, ReadOnlySpan<byte> name) =>
        m.TryGetProperty(name, out var v) && ((v.ValueKind == JsonValueKind.String && !v.ValueEquals(""u8)) || v.ValueKind == JsonValueKind.Number)
            ? v
            : default;

    private static void WriteIdentity(Utf8JsonWriter w, ReadOnlySpan<byte> name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            // A numeric id becomes its JSON text, as Segment does.
            w.WriteString(name, JsonMarshal.GetRawUtf8Value(value));
            return;
        }
        w.WritePropertyName(name);
        value.WriteTo(w);
    }

    private static void WriteFirstString(Utf8JsonWriter w, ReadOnlySpan<byte> field, JsonElement first, JsonElement second, ReadOnlySpan<byte> name)
    {
        foreach (var source in (ReadOnlySpan<JsonElement>)[first, second])
        {
            if (source.ValueKind == JsonValueKind.Object && source.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
            {
                w.WritePropertyName(field);
                v.WriteTo(w);
                return;
            }
        }
    }

    private static void CopyUnlessPresent(Utf8JsonWriter w, JsonElement m, JsonElement properties, ReadOnlySpan<byte> name)
    {
        if (m.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null && !Has(properties, name))
        {
            w.WritePropertyName(name);
            v.WriteTo(w);
        }
    }

    private static bool Has(JsonElement obj, ReadOnlySpan<byte> name) => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out _);
}
