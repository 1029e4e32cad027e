using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Eventide.Core;
using Eventide.Core.Events;

namespace Eventide.Reliability.Tests.Fuzzing;

/// <summary>
/// Judges a parse result against the rules of docs/ingestion.md, written apart from
/// <see cref="EventParser"/>: JsonDocument for the structure (it keeps duplicate
/// keys, so they are counted here), regular expressions for site ids and
/// timestamps, the documented limits as literals. Returns the first violation, or null.
/// </summary>
public static partial class ValidityOracle
{
    private const int MaxEvents = 1000;
    private const int MaxEventBytes = 32 * 1024;
    private const int MaxPropertiesBytes = 16 * 1024;
    private const int MaxPropertiesDepth = 8;
    private static readonly TimeSpan FutureSkew = TimeSpan.FromMinutes(60);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(400);

    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "site_id", "name", "event_type", "type", "timestamp", "event_id", "path", "referrer", "user_id", "session_id", "properties",
    };

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SiteRule();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex TimestampRule();

    [GeneratedRegex(@"^-?\d+$")]
    private static partial Regex IntegerRule();

    public static string? Check(FuzzCase c, EventBatch batch, DateTimeOffset receivedAt)
    {
        if (batch.Problem != BodyProblem.None)
        {
            return batch.Valid.Count == 0 && batch.Errors.Count == 0 ? null : "a refused body still reports events";
        }
        if (!IsUtf8(c.Body))
        {
            return "a body that is not valid UTF-8 was not refused";
        }
        var body = c.Body.AsSpan();
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }
        if (batch.Count > MaxEvents)
        {
            return $"{batch.Count} events were taken; the limit is {MaxEvents}";
        }
        var valid = batch.Valid.Select(v => v.Index).ToList();
        var rejected = batch.Errors.Select(e => e.Index).ToHashSet();
        if (valid.Distinct().Count() != valid.Count || valid.Any(rejected.Contains))
        {
            return "an event is both accepted and rejected, or accepted twice";
        }
        if (valid.Count + rejected.Count != batch.Count || valid.Concat(rejected).Any(i => i < 0 || i >= batch.Count))
        {
            return $"{batch.Count} events, {valid.Count} accepted and {rejected.Count} rejected: some event was dropped silently";
        }

        List<byte[]> elements;
        if (c.Format == BodyFormat.Ndjson)
        {
            elements = Lines(body);
        }
        else
        {
            try
            {
                using var doc = JsonDocument.Parse(body.ToArray());
                elements = doc.RootElement.ValueKind == JsonValueKind.Array
                    ? [.. doc.RootElement.EnumerateArray().Select(e => Encoding.UTF8.GetBytes(e.GetRawText()))]
                    : [Encoding.UTF8.GetBytes(doc.RootElement.GetRawText())];
            }
            catch (JsonException ex)
            {
                return $"a body that is not valid JSON was not refused ({ex.Message})";
            }
        }
        if (elements.Count != batch.Count)
        {
            return $"the body holds {elements.Count} events; the parser counted {batch.Count}";
        }
        foreach (var (index, record) in batch.Valid)
        {
            if (CheckEvent(elements[index], record, receivedAt, c.EpochMillis) is { } problem)
            {
                return $"event {index} was accepted but {problem}";
            }
        }
        return null;
    }

    private static string? CheckEvent(byte[] raw, EventRecord record, DateTimeOffset receivedAt, bool epochMillis)
    {
        if (raw.Length > MaxEventBytes)
        {
            return $"it is {raw.Length} bytes";
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(raw);
        }
        catch (JsonException ex)
        {
            return $"it is not valid JSON ({ex.Message})";
        }
        using (doc)
        {
            var e = doc.RootElement;
            if (e.ValueKind != JsonValueKind.Object)
            {
                return "it is not an object";
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var names = 0;
            foreach (var p in e.EnumerateObject())
            {
                if (!Allowed.Contains(p.Name))
                {
                    return $"it has the unknown field '{p.Name}'";
                }
                if (!seen.Add(p.Name))
                {
                    return $"it has '{p.Name}' twice";
                }
                names += p.Name is "name" or "event_type" or "type" ? 1 : 0;
            }
            if (names != 1)
            {
                return $"it has {names} name fields";
            }
            if (record.ReceivedAt != receivedAt)
            {
                return "received_at is not the receive time";
            }
            var nameField = seen.First(n => n is "name" or "event_type" or "type");
            return Text(e, "site_id", 64, true, record.SiteId, s => SiteRule().IsMatch(s))
                ?? Text(e, nameField, 128, true, record.Name)
                ?? (e.TryGetProperty("event_id", out _)
                    ? Text(e, "event_id", 128, true, record.EventId)
                    : Guid.TryParse(record.EventId, out var g) && g.Version == 7 ? null : $"the assigned id {record.EventId} is no UUIDv7")
                ?? Text(e, "path", 2048, false, record.Path)
                ?? Text(e, "referrer", 2048, false, record.Referrer)
                ?? Text(e, "user_id", 256, false, record.UserId)
                ?? Text(e, "session_id", 256, false, record.SessionId)
                ?? CheckTimestamp(e, record.Timestamp, receivedAt, epochMillis)
                ?? CheckProperties(e, record.Properties);
        }
    }

    private static string? Text(JsonElement e, string field, int max, bool required, string? stored, Func<string, bool>? rule = null)
    {
        if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return required ? $"{field} is missing" : stored is null ? null : $"{field} is absent but stored as '{stored}'";
        }
        if (v.ValueKind != JsonValueKind.String)
        {
            return $"{field} is a {v.ValueKind}";
        }
        if (!TryText(v, out var text))
        {
            return $"{field} holds an unpaired surrogate";
        }
        if (text.Length > max || (required && text.Length == 0) || text.Contains('\0', StringComparison.Ordinal))
        {
            return $"{field} is {text.Length} units long or holds NUL";
        }
        if (rule is not null && !rule(text))
        {
            return $"{field} '{text}' breaks its rule";
        }
        return text == stored ? null : $"{field} '{text}' was stored as '{stored}'";
    }

    private static string? CheckTimestamp(JsonElement e, DateTimeOffset stored, DateTimeOffset receivedAt, bool epochMillis)
    {
        DateTimeOffset expected;
        if (!e.TryGetProperty("timestamp", out var v) || v.ValueKind == JsonValueKind.Null)
        {
            expected = receivedAt;
        }
        else if (v.ValueKind == JsonValueKind.String)
        {
            var rawText = v.GetRawText();
            var text = v.GetString()!;
            if (rawText.Contains('\\', StringComparison.Ordinal) || !TimestampRule().IsMatch(text)
                || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out expected))
            {
                return $"the timestamp {rawText} is not RFC 3339";
            }
        }
        else if (v.ValueKind == JsonValueKind.Number && epochMillis && IntegerRule().IsMatch(v.GetRawText())
            && long.TryParse(v.GetRawText(), CultureInfo.InvariantCulture, out var millis) && millis is >= -62135596800000 and <= 253402300799999)
        {
            expected = DateTimeOffset.FromUnixTimeMilliseconds(millis);
        }
        else
        {
            return $"the timestamp {v.GetRawText()} is not a date-time";
        }
        if (expected != stored)
        {
            return $"the timestamp {expected:O} was stored as {stored:O}";
        }
        if (stored - receivedAt > FutureSkew || receivedAt - stored > Retention)
        {
            return $"the timestamp {stored:O} is outside the window around {receivedAt:O}";
        }
        return null;
    }

    private static string? CheckProperties(JsonElement e, string? stored)
    {
        if (!e.TryGetProperty("properties", out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return stored is null ? null : "properties are absent but stored";
        }
        if (v.ValueKind != JsonValueKind.Object)
        {
            return $"properties are a {v.ValueKind}";
        }
        var raw = v.GetRawText();
        if (raw != stored)
        {
            return "the properties were not stored as sent";
        }
        if (Encoding.UTF8.GetByteCount(raw) > MaxPropertiesBytes)
        {
            return $"the properties are {Encoding.UTF8.GetByteCount(raw)} bytes";
        }
        return CheckValue(v, 1);
    }

    private static string? CheckValue(JsonElement v, int depth)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth > MaxPropertiesDepth)
                {
                    return $"the properties nest {depth} deep";
                }
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in v.EnumerateObject())
                {
                    string key;
                    try
                    {
                        key = p.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return "a property key holds an unpaired surrogate";
                    }
                    if (!keys.Add(key) || key.Contains('\0', StringComparison.Ordinal))
                    {
                        return $"the property key '{key}' repeats or holds NUL";
                    }
                    if (CheckValue(p.Value, depth + 1) is { } problem)
                    {
                        return problem;
                    }
                }
                return null;
            case JsonValueKind.Array:
                if (depth > MaxPropertiesDepth)
                {
                    return $"the properties nest {depth} deep";
                }
                return v.EnumerateArray().Select(item => CheckValue(item, depth + 1)).FirstOrDefault(p => p is not null);
            case JsonValueKind.String:
                return TryText(v, out var text) && !text.Contains('\0', StringComparison.Ordinal) ? null : "a property string holds NUL or an unpaired surrogate";
            case JsonValueKind.Number:
                return double.TryParse(v.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? null : $"the number {v.GetRawText()} is not a finite double";
            default:
                return null;
        }
    }

    private static bool TryText(JsonElement v, out string text)
    {
        try
        {
            text = v.GetString()!;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
        // An escaped lone surrogate may decode without an exception; PostgreSQL would refuse it.
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && (i + 1 == text.Length || !char.IsLowSurrogate(text[++i])))
            {
                return false;
            }
            if (char.IsLowSurrogate(text[i]) && (i == 0 || !char.IsHighSurrogate(text[i - 1])))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>NDJSON as documented: split on \n, trim spaces, tabs and \r, skip blank lines.</summary>
    private static List<byte[]> Lines(ReadOnlySpan<byte> body)
    {
        var text = body.ToArray();
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == (byte)'\n')
            {
                int a = start, b = i;
                while (a < b && text[a] is (byte)' ' or (byte)'\t' or (byte)'\r')
                {
                    a++;
                }
                while (b > a && text[b - 1] is (byte)' ' or (byte)'\t' or (byte)'\r')
                {
                    b--;
                }
                if (b > a)
                {
                    lines.Add(text[a..b]);
                }
                start = i + 1;
            }
        }
        return lines;
    }
}
