using System.Globalization;
using System.Text.Json;

namespace Eventide.Core.Events;

public sealed partial class EventParser
{
    /// <summary>
    /// Reads a string field. Required fields must be a non-empty string; optional ones may
    /// be null. Returns false (after adding the error) when the value is unusable.
    /// </summary>
    private static bool ReadText(ref Utf8JsonReader reader, string field, int index, int maxLength, bool required, string? recent, EventBatch batch, out string? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null && !required)
        {
            return true;
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            batch.Errors.Add(new EventError(index, field, $"The field must be a string, got a {Describe(reader.TokenType)}.", RejectReason.Invalid));
            reader.Skip();
            return false;
        }
        // Cheap bound before allocating: UTF-8 needs at least one byte per UTF-16 unit, at most 6 escaped.
        if (reader.ValueSpan.Length > maxLength * 6)
        {
            batch.Errors.Add(new EventError(index, field, $"The value is longer than the limit of {maxLength} characters.", RejectReason.Invalid));
            return false;
        }
        string text;
        try
        {
            // fast path: a batch usually repeats its site id and event names; reuse the string instead of allocating one per event.
            text = recent is not null && !reader.ValueIsEscaped && reader.ValueTextEquals(recent) ? recent : reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            batch.Errors.Add(new EventError(index, field, "The value holds an invalid \\u escape (an unpaired surrogate); send valid Unicode text.", RejectReason.Invalid));
            return false;
        }
        if (text.Length > maxLength)
        {
            batch.Errors.Add(new EventError(index, field, $"The value is {text.Length} characters; the limit is {maxLength}.", RejectReason.Invalid));
            return false;
        }
        if (required && text.Length == 0)
        {
            batch.Errors.Add(new EventError(index, field, "The value must not be empty.", RejectReason.Invalid));
            return false;
        }
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            batch.Errors.Add(new EventError(index, field, "The value must not contain NUL (\\u0000) characters.", RejectReason.Invalid));
            return false;
        }
        value = text;
        return true;
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader, string field, int index, bool allowEpochMillis, EventBatch batch)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String when !reader.ValueIsEscaped && IsRfc3339Shape(reader.ValueSpan) && reader.TryGetDateTimeOffset(out var value):
                return value;
            case JsonTokenType.Number when allowEpochMillis && reader.TryGetInt64(out var millis)
                && millis is >= -62135596800000 and <= 253402300799999:
                return DateTimeOffset.FromUnixTimeMilliseconds(millis);
            default:
                var expected = allowEpochMillis
                    ? "an RFC 3339 date-time with a time zone (e.g. 2026-11-22T10:15:00Z) or integer Unix epoch milliseconds"
                    : "an RFC 3339 date-time with a time zone, e.g. 2026-11-22T10:15:00Z or 2026-11-22T11:15:00.250+01:00";
                batch.Errors.Add(new EventError(index, field, $"The timestamp must be {expected}.", RejectReason.Invalid));
                reader.Skip();
                return null;
        }
    }

    /// <summary>
    /// RFC 3339 demands a full date, a time and an explicit offset; the reader's ISO 8601
    /// parser alone would also take a bare date, a local time without offset, or a
    /// fraction without digits ("10:15:00.Z"). date-time = YYYY-MM-DD "T" hh:mm:ss
    /// ["." 1*DIGIT] ("Z" / ("+" / "-") hh:mm).
    /// </summary>
    private static bool IsRfc3339Shape(ReadOnlySpan<byte> s)
    {
        if (s.Length < 20 || !Digits(s[..4]) || s[4] != '-' || !Digits(s[5..7]) || s[7] != '-' || !Digits(s[8..10]) || s[10] != 'T'
            || !Digits(s[11..13]) || s[13] != ':' || !Digits(s[14..16]) || s[16] != ':' || !Digits(s[17..19]))
        {
            return false;
        }
        var rest = s[19..];
        if (rest[0] == '.')
        {
            var n = 1;
            while (n < rest.Length && char.IsAsciiDigit((char)rest[n]))
            {
                n++;
            }
            if (n == 1)
            {
                return false;
            }
            rest = rest[n..];
        }
        return rest is [(byte)'Z']
            || (rest.Length == 6 && rest[0] is (byte)'+' or (byte)'-' && Digits(rest[1..3]) && rest[3] == ':' && Digits(rest[4..6]));
    }

    private static bool Digits(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }
        }
        return true;
    }

    private static bool TryGetText(ref Utf8JsonReader reader, out string text, out string? error)
    {
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            text = "";
            error = "A string holds an invalid \\u escape (an unpaired surrogate); send valid Unicode text.";
            return false;
        }
        error = text.Contains('\0', StringComparison.Ordinal) ? "A string holds a NUL (\\u0000) character, which cannot be stored." : null;
        return error is null;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "...";

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
