using System.Text.Json;
using System.Text.Unicode;

namespace Eventide.Core.Events;

/// <summary>
/// Parses and validates a request body into <see cref="EventRecord"/>s or
/// per-field rejections, by the rules of docs/ingestion.md. Pure: no I/O, the receive time is given.
/// Works on the UTF-8 bytes with <see cref="Utf8JsonReader"/> so that
/// duplicate keys (which JsonDocument silently accepts) are seen and no DOM
/// is built. Thread-safe: all per-request state lives in the call.
/// One file per concern: this one frames the body (JSON or NDJSON) into events; .Event reads one
/// event's fields, .Values its strings and timestamps, .Properties its properties object, and
/// .State holds the per-call state.
/// </summary>
public sealed partial class EventParser
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
}
