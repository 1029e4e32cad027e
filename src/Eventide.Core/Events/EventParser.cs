using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Eventide.Core.Events;

/// <summary>
/// Parses and validates a request body into <see cref="EventRecord"/>s or
/// per-field rejections, by the rules of docs/ingestion.md. Pure: no I/O, the receive time is given.
/// Works on the UTF-8 bytes with <see cref="Utf8JsonReader"/> so that
/// duplicate keys (which JsonDocument silently accepts) are seen and no DOM
/// is built. Thread-safe: all per-request state lives in the call.
/// </summary>
public sealed class EventParser
{
    /// <summary>Deeper bodies are refused as a whole before any event is looked at.</summary>
    public const int MaxJsonDepth = 64;

    public const int MaxNameLength = 128;
    public const int MaxEventIdLength = 128;
    public const int MaxPathLength = 2048;
    public const int MaxUserLength = 256;

    private const string AllowedFields =
        "site_id, name (or its aliases event_type and type), timestamp, event_id, path, referrer, user_id, session_id, properties";

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxJsonDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private static readonly byte[] LineWhitespace = " \t\r"u8.ToArray();

    private readonly IngestionOptions _limits;
    private readonly TimeSpan _futureSkew;
    private readonly TimeSpan _retention;

    public EventParser(IngestionOptions limits, RetentionOptions retention)
    {
        _limits = limits;
        _futureSkew = TimeSpan.FromMinutes(limits.MaxFutureSkewMinutes);
        _retention = TimeSpan.FromDays(retention.Days);
    }

    private enum Field
    {
        Unknown = -1,
        SiteId,
        Name,
        Timestamp,
        EventId,
        Path,
        Referrer,
        UserId,
        SessionId,
        Properties,
    }

    /// <param name="body">The decoded (not gzip) request body.</param>
    /// <param name="format">JSON (object or array) or NDJSON.</param>
    /// <param name="receivedAt">The server's receive time: the default timestamp and the reference for the skew and retention checks.</param>
    /// <param name="allowEpochMillis">Also accept a timestamp given as integer Unix epoch milliseconds (the simple tracker format).</param>
    /// <param name="seed">
    /// The lenient shapes of the seed routes (POST /event, /events, /webhook/event): more aliases,
    /// unknown top-level fields kept in properties, and a missing site_id taken from
    /// <see cref="SeedShapes.DefaultSite"/>. Null is the strict /v1/events contract.
    /// </param>
    public EventBatch Parse(ReadOnlySpan<byte> body, BodyFormat format, DateTimeOffset receivedAt, bool allowEpochMillis = false, SeedShapes? seed = null)
    {
        var batch = new EventBatch();
        if (!Utf8.IsValid(body))
        {
            return batch.Refuse(BodyProblem.Malformed, "The body is not valid UTF-8; send JSON text encoded as UTF-8.");
        }
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }
        var state = new ParseState(receivedAt, allowEpochMillis || seed is not null, seed);
        return format == BodyFormat.Ndjson ? ParseNdjson(body, state, batch) : ParseJson(body, state, batch);
    }

    private EventBatch ParseJson(ReadOnlySpan<byte> body, ParseState state, EventBatch batch)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                return batch.Refuse(BodyProblem.Malformed, "The body is empty; send one event object, a JSON array of events, or NDJSON.");
            }
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                if (reader.Read())
                {
                    return batch.Refuse(BodyProblem.Malformed,
                        $"Unexpected data after the event object at byte {reader.TokenStartIndex}; send several events as a JSON array, or as NDJSON with Content-Type: application/x-ndjson.");
                }
                batch.Count = 1;
                ParseEvent(body[start..end], 0, state, batch);
                return batch;
            }
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return batch.Refuse(BodyProblem.Malformed,
                    $"The body must be an event object, a JSON array of event objects, or NDJSON; it starts with a {Describe(reader.TokenType)}.");
            }
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (index >= _limits.MaxEventsPerRequest)
                {
                    return TooMany(batch);
                }
                var start = (int)reader.TokenStartIndex;
                // For a string or number Skip() is a no-op and the token is the whole element.
                reader.Skip();
                ParseEvent(body[start..(int)reader.BytesConsumed], index, state, batch);
                index++;
            }
            if (reader.Read())
            {
                return batch.Refuse(BodyProblem.Malformed, $"Unexpected data after the array at byte {reader.TokenStartIndex}.");
            }
            if (index == 0)
            {
                return batch.Refuse(BodyProblem.Malformed, "The array holds no events.");
            }
            batch.Count = index;
            return batch;
        }
        catch (JsonException ex)
        {
            return batch.Refuse(BodyProblem.Malformed, $"The body is not valid JSON: {ex.Message}");
        }
    }

    private EventBatch ParseNdjson(ReadOnlySpan<byte> body, ParseState state, EventBatch batch)
    {
        var index = 0;
        while (!body.IsEmpty)
        {
            var newline = body.IndexOf((byte)'\n');
            var line = (newline < 0 ? body : body[..newline]).Trim(LineWhitespace);
            body = newline < 0 ? default : body[(newline + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }
            if (index >= _limits.MaxEventsPerRequest)
            {
                return TooMany(batch);
            }
            // A broken line is that event's rejection, not the whole body's: lines are independent.
            ParseEvent(line, index, state, batch);
            index++;
        }
        if (index == 0)
        {
            return batch.Refuse(BodyProblem.Malformed, "The body holds no events; NDJSON needs one event object per line.");
        }
        batch.Count = index;
        return batch;
    }

    private EventBatch TooMany(EventBatch batch) =>
        batch.Refuse(BodyProblem.TooManyEvents,
            $"The body holds more than {_limits.MaxEventsPerRequest} events (Eventide:Ingestion:MaxEventsPerRequest); split it into several requests.");

    private void ParseEvent(ReadOnlySpan<byte> json, int index, ParseState state, EventBatch batch)
    {
        var errorsBefore = batch.Errors.Count;
        if (json.Length > _limits.MaxEventBytes)
        {
            batch.Errors.Add(new EventError(index, null,
                $"The event is {json.Length} bytes; the limit is {_limits.MaxEventBytes} (Eventide:Ingestion:MaxEventBytes).", RejectReason.TooLarge));
            return;
        }
        var e = new Fields();
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                batch.Errors.Add(new EventError(index, null, $"Each event must be a JSON object, got a {Describe(reader.TokenType)}.", RejectReason.Invalid));
                return;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Identify(ref reader, state.Seed is not null, out var fieldName);
                if (field == Field.Unknown && state.Seed is not null)
                {
                    // Seed shapes: an unknown top-level field is custom data, kept in properties.
                    var keyStart = (int)reader.TokenStartIndex;
                    reader.Read();
                    reader.Skip();
                    (e.Extras ??= []).Add(json[keyStart..(int)reader.BytesConsumed].ToArray());
                    continue;
                }
                if (field == Field.Unknown)
                {
                    batch.Errors.Add(new EventError(index, fieldName,
                        $"Unknown field; the allowed fields are {AllowedFields}. Put custom data in properties.", RejectReason.Invalid));
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                var bit = 1 << (int)field;
                if ((e.Seen & bit) != 0)
                {
                    batch.Errors.Add(new EventError(index, fieldName, field switch
                    {
                        Field.Name => "The event name is given more than once (name, event_type, type and on the seed routes eventType are aliases); send one.",
                        Field.Properties => "The properties are given more than once (properties, and on the seed routes payload and data, are aliases); send one.",
                        Field.EventId => "The event id is given more than once (event_id, and on the seed routes eventId, are aliases); send one.",
                        _ => "The field appears more than once; send it once.",
                    }, RejectReason.Invalid));
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                e.Seen |= bit;
                reader.Read();
                ReadField(ref reader, field, fieldName, json, index, state, ref e, batch);
            }
            if (reader.Read())
            {
                batch.Errors.Add(new EventError(index, null,
                    $"Unexpected data after the event object at byte {reader.TokenStartIndex}; put one event object on each line.", RejectReason.Invalid));
            }
        }
        catch (JsonException ex)
        {
            batch.Errors.Add(new EventError(index, null, $"The event is not valid JSON: {ex.Message}", RejectReason.Invalid));
            return;
        }

        if ((e.Seen & (1 << (int)Field.SiteId)) == 0 && state.Seed?.DefaultSite is { } keySite)
        {
            e.SiteId = keySite;
        }
        else if ((e.Seen & (1 << (int)Field.SiteId)) == 0)
        {
            batch.Errors.Add(new EventError(index, "site_id", "The field is required: the id of the site the event belongs to.", RejectReason.Invalid));
        }
        if ((e.Seen & (1 << (int)Field.Name)) == 0)
        {
            batch.Errors.Add(new EventError(index, "name", "The field is required (or its alias event_type or type): the event name, e.g. pageview.", RejectReason.Invalid));
        }
        if (e.Extras is not null && batch.Errors.Count == errorsBefore)
        {
            e.Properties = MergeExtras(e.Properties, e.Extras, index, state, batch);
        }
        if (batch.Errors.Count > errorsBefore)
        {
            return;
        }

        var timestamp = e.Timestamp ?? state.ReceivedAt;
        if (timestamp - state.ReceivedAt > _futureSkew)
        {
            batch.Errors.Add(new EventError(index, "timestamp",
                $"The timestamp {timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} is more than {_limits.MaxFutureSkewMinutes} minutes ahead of the server clock " +
                $"({state.ReceivedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}); check the sender's clock or omit the timestamp.", RejectReason.Future));
            return;
        }
        if (state.ReceivedAt - timestamp > _retention)
        {
            batch.Errors.Add(new EventError(index, "timestamp",
                $"The timestamp {timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} is older than the retention horizon of {_retention.TotalDays} days (Eventide:Retention:Days).",
                RejectReason.TooOld));
            return;
        }
        var record = new EventRecord(
            e.SiteId!, e.Name!, timestamp,
            e.EventId ?? Guid.CreateVersion7(state.ReceivedAt).ToString(),
            e.Path, e.Referrer, e.UserId, e.SessionId, e.Properties, state.ReceivedAt);
        batch.Valid.Add(new IndexedEvent(index, record));
    }

    private void ReadField(ref Utf8JsonReader reader, Field field, string fieldName, ReadOnlySpan<byte> json, int index, ParseState state, ref Fields e, EventBatch batch)
    {
        switch (field)
        {
            case Field.SiteId:
                if (ReadText(ref reader, fieldName, index, SiteId.MaxLength, required: true, state.LastSite, batch, out var site))
                {
                    if (!SiteId.IsValid(site))
                    {
                        batch.Errors.Add(new EventError(index, fieldName, "The site id must be 1-64 characters of A-Z a-z 0-9 . _ -.", RejectReason.Invalid));
                        break;
                    }
                    e.SiteId = state.LastSite = site;
                }
                break;
            case Field.Name:
                if (ReadText(ref reader, fieldName, index, MaxNameLength, required: true, state.LastName, batch, out var name))
                {
                    e.Name = state.LastName = name;
                }
                break;
            case Field.EventId:
                if (ReadText(ref reader, fieldName, index, MaxEventIdLength, required: true, null, batch, out var id))
                {
                    e.EventId = id;
                }
                break;
            case Field.Path:
                ReadText(ref reader, fieldName, index, MaxPathLength, required: false, null, batch, out e.Path);
                break;
            case Field.Referrer:
                ReadText(ref reader, fieldName, index, MaxPathLength, required: false, null, batch, out e.Referrer);
                break;
            case Field.UserId:
                ReadText(ref reader, fieldName, index, MaxUserLength, required: false, null, batch, out e.UserId);
                break;
            case Field.SessionId:
                ReadText(ref reader, fieldName, index, MaxUserLength, required: false, null, batch, out e.SessionId);
                break;
            case Field.Timestamp:
                e.Timestamp = ReadTimestamp(ref reader, fieldName, index, state.AllowEpochMillis, batch);
                break;
            case Field.Properties:
                e.Properties = ReadProperties(ref reader, json, index, state, batch);
                break;
            default:
                throw new InvalidOperationException($"Unhandled field {field}");
        }
    }

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

    /// <summary>
    /// Validates a properties object while walking it once: depth, duplicate keys at every
    /// level, strings PostgreSQL's jsonb accepts (no \u0000, no lone surrogates) and finite
    /// numbers. Returns the object's JSON text as sent, or null after adding an error.
    /// </summary>
    private string? ReadProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int index, ParseState state, EventBatch batch)
    {
        const string field = "properties";
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            batch.Errors.Add(new EventError(index, field, $"The field must be a JSON object, got a {Describe(reader.TokenType)}.", RejectReason.Invalid));
            reader.Skip();
            return null;
        }
        var start = (int)reader.TokenStartIndex;
        var baseDepth = reader.CurrentDepth;
        var depth = 1;
        string? error = null;
        var reason = RejectReason.Invalid;
        var keys = state.Keys;
        keys.Clear();
        keys.Add(state.RentKeySet());
        while (reader.Read())
        {
            var token = reader.TokenType;
            if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                state.ReturnKeySet(keys[^1]);
                keys.RemoveAt(keys.Count - 1);
                if (reader.CurrentDepth == baseDepth)
                {
                    break;
                }
                continue;
            }
            if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                depth = Math.Max(depth, reader.CurrentDepth - baseDepth + 1);
                keys.Add(token == JsonTokenType.StartObject ? state.RentKeySet() : null);
                continue;
            }
            if (error is not null)
            {
                // The event is rejected already; keep reading only to find the end of the properties.
                continue;
            }
            switch (token)
            {
                case JsonTokenType.PropertyName:
                    if (!TryGetText(ref reader, out var key, out error))
                    {
                        break;
                    }
                    if (!keys[^1]!.Add(key))
                    {
                        error = $"The key \"{Truncate(key)}\" appears more than once in the same object; send each key once.";
                    }
                    break;
                case JsonTokenType.String when reader.ValueIsEscaped:
                    TryGetText(ref reader, out _, out error);
                    break;
                case JsonTokenType.Number when !reader.TryGetDouble(out var number) || !double.IsFinite(number):
                    error = $"The number {Truncate(Encoding.UTF8.GetString(reader.ValueSpan))} is out of range; send it as a string.";
                    break;
                default:
                    break;
            }
        }
        foreach (var set in keys)
        {
            state.ReturnKeySet(set);
        }
        keys.Clear();
        var size = (int)reader.BytesConsumed - start;
        if (error is null && size > _limits.MaxPropertiesBytes)
        {
            error = $"The properties are {size} bytes; the limit is {_limits.MaxPropertiesBytes} (Eventide:Ingestion:MaxPropertiesBytes).";
            reason = RejectReason.TooLarge;
        }
        if (error is null && depth > _limits.MaxPropertiesDepth)
        {
            error = $"The properties nest {depth} levels deep; the limit is {_limits.MaxPropertiesDepth} (Eventide:Ingestion:MaxPropertiesDepth).";
            reason = RejectReason.TooLarge;
        }
        if (error is not null)
        {
            batch.Errors.Add(new EventError(index, field, error, reason));
            return null;
        }
        return Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
    }

    /// <summary>
    /// Adds the unknown top-level fields of a seed-shaped event to its properties and validates
    /// the result like any properties object, so a key sent both ways is refused as a duplicate
    /// rather than one of the two values silently winning.
    /// </summary>
    private string? MergeExtras(string? properties, List<byte[]> extras, int index, ParseState state, EventBatch batch)
    {
        var merged = new List<byte>(256) { (byte)'{' };
        if (properties is not null)
        {
            var inner = Encoding.UTF8.GetBytes(properties.Trim());
            var body = inner.AsSpan(1, inner.Length - 2);
            if (body.Trim(" \t\r\n"u8).Length > 0)
            {
                merged.AddRange(body);
                merged.Add((byte)',');
            }
        }
        for (var i = 0; i < extras.Count; i++)
        {
            merged.AddRange(extras[i]);
            merged.Add((byte)(i == extras.Count - 1 ? '}' : ','));
        }
        var bytes = merged.ToArray();
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        reader.Read();
        return ReadProperties(ref reader, bytes, index, state, batch);
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

    private static Field Identify(ref Utf8JsonReader reader, bool seed, out string name)
    {
        if (seed)
        {
            (Field Field, string Name) alias =
                reader.ValueTextEquals("eventType"u8) ? (Field.Name, "eventType")
                : reader.ValueTextEquals("eventId"u8) ? (Field.EventId, "eventId")
                : reader.ValueTextEquals("payload"u8) ? (Field.Properties, "payload")
                : reader.ValueTextEquals("data"u8) ? (Field.Properties, "data")
                : (Field.Unknown, "");
            if (alias.Field != Field.Unknown)
            {
                name = alias.Name;
                return alias.Field;
            }
        }
        (Field Field, string Name) match =
            reader.ValueTextEquals("site_id"u8) ? (Field.SiteId, "site_id")
            : reader.ValueTextEquals("name"u8) ? (Field.Name, "name")
            : reader.ValueTextEquals("event_type"u8) ? (Field.Name, "event_type")
            : reader.ValueTextEquals("type"u8) ? (Field.Name, "type")
            : reader.ValueTextEquals("timestamp"u8) ? (Field.Timestamp, "timestamp")
            : reader.ValueTextEquals("event_id"u8) ? (Field.EventId, "event_id")
            : reader.ValueTextEquals("path"u8) ? (Field.Path, "path")
            : reader.ValueTextEquals("referrer"u8) ? (Field.Referrer, "referrer")
            : reader.ValueTextEquals("user_id"u8) ? (Field.UserId, "user_id")
            : reader.ValueTextEquals("session_id"u8) ? (Field.SessionId, "session_id")
            : reader.ValueTextEquals("properties"u8) ? (Field.Properties, "properties")
            : (Field.Unknown, "");
        if (match.Field != Field.Unknown)
        {
            name = match.Name;
            return match.Field;
        }
        try
        {
            name = Truncate(reader.GetString()!);
        }
        catch (InvalidOperationException)
        {
            name = "(invalid text)";
        }
        return Field.Unknown;
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

    private struct Fields
    {
        public int Seen;
        public string? SiteId;
        public string? Name;
        public string? EventId;
        public string? Path;
        public string? Referrer;
        public string? UserId;
        public string? SessionId;
        public string? Properties;
        public DateTimeOffset? Timestamp;

        /// <summary>Unknown top-level fields of a seed-shaped event, each as its raw "key": value text.</summary>
        public List<byte[]>? Extras;
    }

    /// <summary>Per-call state: recent strings to reuse and pooled key sets for duplicate detection.</summary>
    private sealed class ParseState(DateTimeOffset receivedAt, bool allowEpochMillis, SeedShapes? seed)
    {
        public SeedShapes? Seed { get; } = seed;

        private readonly Stack<HashSet<string>> _pool = new();

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public bool AllowEpochMillis { get; } = allowEpochMillis;

        public string? LastSite { get; set; }

        public string? LastName { get; set; }

        /// <summary>One entry per open container in the properties being read; null for arrays.</summary>
        public List<HashSet<string>?> Keys { get; } = [];

        public HashSet<string> RentKeySet() => _pool.TryPop(out var set) ? set : new HashSet<string>(StringComparer.Ordinal);

        public void ReturnKeySet(HashSet<string>? set)
        {
            if (set is not null)
            {
                set.Clear();
                _pool.Push(set);
            }
        }
    }
}
