using System.Text.Json;

namespace Eventide.Ingestion.Segment;

public sealed partial class SegmentMapper
{
    /// <summary>Checks what only a Segment message has (type, event, ids, timestamp) and fills the request's per-message fields.</summary>
    private static string? Check(JsonElement m, SegmentMessageType? endpointType, RequestState request)
    {
        if (endpointType is { } fixedType)
        {
            request.Type = fixedType;
        }
        else if (!m.TryGetProperty("type"u8, out var type) || type.ValueKind != JsonValueKind.String || ParseType(type) is not { } parsed)
        {
            return "type: a batch message needs type track, page, screen, identify, group or alias.";
        }
        else
        {
            request.Type = parsed;
        }
        if (m.TryGetProperty("messageId"u8, out var id) && id.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            return $"messageId: must be a string, got {Describe(id.ValueKind)}.";
        }
        if (request.Type == SegmentMessageType.Track
            && (!m.TryGetProperty("event"u8, out var name) || name.ValueKind != JsonValueKind.String || name.ValueEquals(""u8)))
        {
            return "event: a track message needs the event name as a non-empty string.";
        }
        request.User = Identity(m, "userId"u8);
        request.Anonymous = Identity(m, "anonymousId"u8);
        if (request.User.ValueKind == JsonValueKind.Undefined && request.Anonymous.ValueKind == JsonValueKind.Undefined)
        {
            return "userId or anonymousId: every message needs one of them as a non-empty string.";
        }
        request.Timestamp = null;
        if (m.TryGetProperty("timestamp"u8, out var ts) && ts.ValueKind != JsonValueKind.Null)
        {
            if (!TryTime(ts, out var clientTime))
            {
                return "timestamp: must be an ISO 8601 date-time, e.g. 2026-11-22T10:15:00.000Z.";
            }
            // Correct the client's clock with the one offset both times share: the request's
            // sentAt against our receive time (docs/segment.md).
            DateTimeOffset? sent = m.TryGetProperty("sentAt"u8, out var ownSentAt) && TryTime(ownSentAt, out var s) ? s : request.SentAt;
            request.Timestamp = sent is { } sentAt ? request.ReceivedAt - (sentAt - clientTime) : clientTime;
        }
        request.Properties = default;
        var propertiesField = request.Type switch
        {
            SegmentMessageType.Identify or SegmentMessageType.Group => "traits",
            SegmentMessageType.Alias => null,
            _ => "properties",
        };
        if (propertiesField is not null && m.TryGetProperty(propertiesField, out var properties) && properties.ValueKind != JsonValueKind.Null)
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                return $"{propertiesField}: must be a JSON object, got {Describe(properties.ValueKind)}.";
            }
            request.Properties = properties;
        }
        request.MessageContext = m.TryGetProperty("context"u8, out var context) && context.ValueKind == JsonValueKind.Object ? context : request.Context;
        return null;
    }

    private static bool TryTime(JsonElement value, out DateTimeOffset time)
    {
        time = default;
        return value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out time);
    }

    private static SegmentMessageType? ParseType(JsonElement type) =>
        type.ValueEquals("track"u8) ? SegmentMessageType.Track
        : type.ValueEquals("page"u8) ? SegmentMessageType.Page
        : type.ValueEquals("screen"u8) ? SegmentMessageType.Screen
        : type.ValueEquals("identify"u8) ? SegmentMessageType.Identify
        : type.ValueEquals("group"u8) ? SegmentMessageType.Group
        : type.ValueEquals("alias"u8) ? SegmentMessageType.Alias
        : null;

    /// <summary>The event name a non-track message is stored under.</summary>
    public static string EventName(SegmentMessageType type) => type switch
    {
        SegmentMessageType.Page => "pageview",
        SegmentMessageType.Screen => "screen_view",
        SegmentMessageType.Identify => "$identify",
        SegmentMessageType.Group => "$group",
        SegmentMessageType.Alias => "$alias",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "A track message is named by its event field."),
    };

    /// <summary>Names a rejected event model field by the Segment field it came from.</summary>
    private static string SegmentField(string? field, SegmentMessageType type) => field switch
    {
        null => "message",
        "name" => type == SegmentMessageType.Track ? "event" : "type",
        "event_id" => "messageId",
        "user_id" => "userId or anonymousId",
        "timestamp" => "timestamp (corrected for clock skew with sentAt)",
        "path" => "path (properties.path or context.page.path)",
        "referrer" => "referrer (properties.referrer or context.page.referrer)",
        "properties" => type is SegmentMessageType.Identify or SegmentMessageType.Group ? "traits (with context)" : "properties (with context)",
        _ => field,
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
