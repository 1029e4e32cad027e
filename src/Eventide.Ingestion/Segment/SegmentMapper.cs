using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Eventide.Core;
using Eventide.Core.Events;

namespace Eventide.Ingestion.Segment;

/// <summary>
/// Maps Segment Spec messages (track, page, screen, identify, group, alias) onto the event
/// model (docs/segment.md has the table). Each message is rewritten as an Eventide event
/// object and the whole request then goes through the same <see cref="EventParser"/> as
/// /v1/events, so names, lengths, properties limits and the timestamp window are checked by
/// one piece of code for both APIs. Pure: no I/O, the receive time is given.
/// Allocation-conscious: one writer and two pooled buffers per request, message fields
/// copied from the request's JSON without intermediate objects.
/// </summary>
public sealed class SegmentMapper
{
    /// <summary>Segment's limit per message, kept so an SDK's size checks agree with ours.</summary>
    public const int MaxMessageBytes = 32 * 1024;

    /// <summary>Segment's limit per request (after gzip decompression).</summary>
    public const int MaxRequestBytes = 500 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text stays as UTF-8, so the properties size counts what is stored, not \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly EventParser _parser;

    public SegmentMapper(IngestionOptions limits, RetentionOptions retention)
    {
        // The event limits of /v1/events, except the count: a Segment request is capped by its
        // bytes (MaxRequestBytes), and every message takes at least two of them.
        _parser = new EventParser(new IngestionOptions
        {
            MaxEventsPerRequest = MaxRequestBytes / 2,
            MaxEventBytes = limits.MaxEventBytes,
            MaxPropertiesBytes = limits.MaxPropertiesBytes,
            MaxPropertiesDepth = limits.MaxPropertiesDepth,
            MaxFutureSkewMinutes = limits.MaxFutureSkewMinutes,
        }, retention);
    }

    /// <param name="root">A batch envelope <c>{batch, sentAt, context}</c> when <paramref name="endpointType"/> is null, else one message.</param>
    /// <param name="endpointType">The type of a single-message endpoint (/v1/track ...), or null for /v1/batch.</param>
    /// <param name="site">The site of the write key: every event belongs to it.</param>
    /// <param name="receivedAt">The server's receive time: the reference for clock-skew correction and the timestamp window.</param>
    public SegmentMapping Map(JsonElement root, SegmentMessageType? endpointType, string site, DateTimeOffset receivedAt)
    {
        var mapping = new SegmentMapping();
        // The mapped events take about as many bytes as the messages: size the buffer once.
        using var request = new RequestState(site, receivedAt, JsonMarshal.GetRawUtf8Value(root).Length + 1024);
        request.Events.Write("["u8);
        if (endpointType is null)
        {
            if (root.TryGetProperty("sentAt"u8, out var sentAt) && TryTime(sentAt, out var sent))
            {
                request.SentAt = sent;
            }
            if (root.TryGetProperty("context"u8, out var context) && context.ValueKind == JsonValueKind.Object)
            {
                request.Context = context;
            }
            var index = 0;
            foreach (var message in root.GetProperty("batch"u8).EnumerateArray())
            {
                MapMessage(message, index++, null, request, mapping);
            }
            mapping.Count = index;
        }
        else
        {
            MapMessage(root, 0, endpointType, request, mapping);
            mapping.Count = 1;
        }
        request.Events.Write("]"u8);
        if (request.Mapped.Count > 0)
        {
            Validate(request, mapping);
        }
        mapping.Rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        return mapping;
    }

    private void Validate(RequestState request, SegmentMapping mapping)
    {
        var batch = _parser.Parse(request.Events.WrittenSpan, BodyFormat.Json, request.ReceivedAt);
        if (batch.Problem != BodyProblem.None)
        {
            // The mapper wrote this JSON itself: a refusal here is a bug, not bad input.
            throw new InvalidOperationException($"Mapped Segment messages did not parse: {batch.ProblemDetail}");
        }
        foreach (var valid in batch.Valid)
        {
            mapping.Accepted.Add(valid.Event);
        }
        var errors = batch.Errors;
        for (var i = 0; i < errors.Count;)
        {
            var first = errors[i];
            var (index, message, type) = request.Mapped[first.Index];
            var reason = new StringBuilder();
            for (; i < errors.Count && errors[i].Index == first.Index; i++)
            {
                if (reason.Length > 0)
                {
                    reason.Append("; ");
                }
                reason.Append(SegmentField(errors[i].Field, type)).Append(": ").Append(errors[i].Message);
            }
            mapping.Rejected.Add(Reject(index, message, reason.ToString(), first.Reason));
        }
    }

    private static void MapMessage(JsonElement message, int index, SegmentMessageType? endpointType, RequestState request, SegmentMapping mapping)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            mapping.Rejected.Add(Reject(index, message, $"Each message must be a JSON object, got {Describe(message.ValueKind)}.", RejectReason.Invalid));
            return;
        }
        var size = JsonMarshal.GetRawUtf8Value(message).Length;
        if (size > MaxMessageBytes)
        {
            mapping.Rejected.Add(Reject(index, message,
                $"The message is {size} bytes; the limit is {MaxMessageBytes} bytes per message (as Segment's).", RejectReason.TooLarge));
            return;
        }
        try
        {
            if (Check(message, endpointType, request) is { } error)
            {
                mapping.Rejected.Add(Reject(index, message, error, RejectReason.Invalid));
                return;
            }
            var type = request.Type;
            request.Scratch.Reset();
            request.Writer.Reset(request.Scratch);
            WriteEvent(request.Writer, message, request);
            request.Writer.Flush();
            if (request.Mapped.Count > 0)
            {
                request.Events.Write(","u8);
            }
            request.Events.Write(request.Scratch.WrittenSpan);
            request.Mapped.Add((index, message, type));
        }
        catch (InvalidOperationException)
        {
            // A string with an unpaired surrogate escape cannot be read as text.
            mapping.Rejected.Add(Reject(index, message,
                "A string holds an invalid \\u escape (an unpaired surrogate); send valid Unicode text.", RejectReason.Invalid));
        }
    }

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

    private static SegmentRejection Reject(int index, JsonElement message, string reason, RejectReason kind)
    {
        string? messageId = null;
        if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("messageId"u8, out var id) && id.ValueKind == JsonValueKind.String)
        {
            try
            {
                messageId = id.GetString();
            }
            catch (InvalidOperationException)
            {
                messageId = null;
            }
        }
        var raw = JsonMarshal.GetRawUtf8Value(message);
        var deadLetterId = string.IsNullOrEmpty(messageId) || messageId.Contains('\0', StringComparison.Ordinal)
            ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(raw))
            : messageId;
        return new SegmentRejection(index, messageId, reason, kind, deadLetterId, DeadLetterPayload(raw));
    }

    /// <summary>
    /// The message as it was sent, when jsonb can hold it; jsonb refuses \u0000 and unpaired
    /// surrogate escapes, so such a message is kept as a JSON string of its text instead.
    /// </summary>
    public static string DeadLetterPayload(ReadOnlySpan<byte> raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        return JsonbCanHold(raw) ? text : JsonSerializer.Serialize(text);
    }

    private static bool JsonbCanHold(ReadOnlySpan<byte> raw)
    {
        for (var i = raw.IndexOf((byte)'\\'); i >= 0 && i + 1 < raw.Length; i = NextBackslash(raw, i + 2))
        {
            if (raw[i + 1] != 'u' || i + 6 > raw.Length)
            {
                continue;
            }
            if (!int.TryParse(Encoding.ASCII.GetString(raw.Slice(i + 2, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
                || code == 0 || code is >= 0xD800 and <= 0xDFFF)
            {
                // Escaped surrogates are rare enough that even a valid pair takes the safe path.
                return false;
            }
        }
        return true;
    }

    private static int NextBackslash(ReadOnlySpan<byte> raw, int from)
    {
        if (from >= raw.Length)
        {
            return -1;
        }
        var next = raw[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
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

    /// <summary>Per-request buffers and the fields of the message being mapped.</summary>
    private sealed class RequestState(string site, DateTimeOffset receivedAt, int capacity) : IDisposable
    {
        public string Site { get; } = site;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public DateTimeOffset? SentAt { get; set; }

        /// <summary>The batch's context: the default of messages without their own.</summary>
        public JsonElement Context { get; set; }

        /// <summary>The mapped events as one JSON array, for the parser.</summary>
        public PooledBufferWriter Events { get; } = new(capacity);

        /// <summary>One message's event while it is written; copied to <see cref="Events"/> only when complete.</summary>
        public PooledBufferWriter Scratch { get; } = new(4096);

        public Utf8JsonWriter Writer { get; } = new(Stream.Null, WriterOptions);

        /// <summary>For each event in <see cref="Events"/>: its message's index, the message and its type.</summary>
        public List<(int Index, JsonElement Message, SegmentMessageType Type)> Mapped { get; } = [];

        public SegmentMessageType Type { get; set; }

        public JsonElement User { get; set; }

        public JsonElement Anonymous { get; set; }

        public DateTimeOffset? Timestamp { get; set; }

        public JsonElement Properties { get; set; }

        public JsonElement MessageContext { get; set; }

        public void Dispose()
        {
            Writer.Dispose();
            Events.Dispose();
            Scratch.Dispose();
        }
    }
}
