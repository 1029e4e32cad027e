using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Eventide.Core;

namespace Eventide.Storage.Processing;

/// <summary>
/// The JSON kept in <c>dead_letters.payload</c>: the event's fields by their
/// API names, with <c>properties</c> as the raw JSON text in a string (so a
/// value jsonb rejects, such as <c>\u0000</c>, can still be kept and shown).
/// An operator may fix the payload in place before replaying it.
/// </summary>
public static class DeadLetterPayload
{
    private const int MaxName = 128;
    private const int MaxEventId = 128;
    private const int MaxUrl = 2048;
    private const int MaxUser = 256;

    public static string FromEvent(EventRecord e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("site_id", Safe(e.SiteId));
            w.WriteString("name", Safe(e.Name));
            w.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("event_id", Safe(e.EventId));
            WriteOptional(w, "path", e.Path);
            WriteOptional(w, "referrer", e.Referrer);
            WriteOptional(w, "user_id", e.UserId);
            WriteOptional(w, "session_id", e.SessionId);
            WriteOptional(w, "properties", e.Properties);
            w.WriteString("received_at", e.ReceivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>An inbox row whose payload could not be decoded: kept whole, as base64, for inspection.</summary>
    public static string FromUndecodable(long inboxId, int shard, int eventCount, DateTimeOffset receivedAt, byte[] payload) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["inbox_id"] = inboxId,
            ["shard"] = shard,
            ["event_count"] = eventCount,
            ["received_at"] = receivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["payload_base64"] = Convert.ToBase64String(payload),
        });

    /// <summary>
    /// Re-validates a payload for replay. Returns the event, or null with the
    /// reason it still cannot be stored.
    /// </summary>
    public static EventRecord? TryParse(string json, DateTimeOffset now, out string? error)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("site_id", out _))
            {
                error = root.TryGetProperty("payload_base64", out _)
                    ? "the inbox payload could not be decoded, so it holds no event to replay"
                    : "payload is not an event object (site_id missing)";
                return null;
            }
            var site = Text(root, "site_id");
            if (site is null || !SiteId.IsValid(site))
            {
                error = "site_id must be 1-64 of A-Z a-z 0-9 . _ -";
                return null;
            }
            var name = Text(root, "name");
            var eventId = Text(root, "event_id");
            var timestamp = Time(root, "timestamp");
            var path = Text(root, "path");
            var referrer = Text(root, "referrer");
            var userId = Text(root, "user_id");
            var sessionId = Text(root, "session_id");
            var properties = Text(root, "properties");
            error = (name, eventId, timestamp) switch
            {
                (null or { Length: 0 or > MaxName }, _, _) => "name must be 1-128 characters",
                (_, null or { Length: 0 or > MaxEventId }, _) => "event_id must be 1-128 characters",
                (_, _, null) => "timestamp must be an RFC 3339 time",
                _ => null,
            };
            error ??= path?.Length > MaxUrl || referrer?.Length > MaxUrl ? "path and referrer must be at most 2048 characters"
                : userId?.Length > MaxUser || sessionId?.Length > MaxUser ? "user_id and session_id must be at most 256 characters"
                : ValidateProperties(properties);
            foreach (var value in new[] { site, name, eventId, path, referrer, userId, sessionId, properties })
            {
                if (value is not null && value.Contains('\0', StringComparison.Ordinal))
                {
                    error ??= "a field contains U+0000, which PostgreSQL text cannot store";
                }
            }
            if (error is not null)
            {
                return null;
            }
            return new EventRecord(site, name!, timestamp!.Value, eventId!, path, referrer, userId, sessionId, properties,
                Time(root, "received_at") ?? now);
        }
        catch (JsonException ex)
        {
            error = $"payload is not valid JSON: {ex.Message}";
            return null;
        }
    }

    private static string? ValidateProperties(string? properties)
    {
        if (properties is null)
        {
            return null;
        }
        if (properties.Contains("\\u0000", StringComparison.Ordinal))
        {
            return "properties contain \\u0000, which jsonb rejects";
        }
        try
        {
            using var doc = JsonDocument.Parse(properties);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? null : "properties must be a JSON object";
        }
        catch (JsonException ex)
        {
            return $"properties are not valid JSON: {ex.Message}";
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? Time(JsonElement root, string name) =>
        Text(root, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
            ? t.ToUniversalTime()
            : null;

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, Safe(value));
        }
    }

    // jsonb cannot hold U+0000 even escaped; such an event can never be
    // stored as it is, so its dead letter shows U+FFFD in that place.
    private static string Safe(string value) =>
        value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;
}
