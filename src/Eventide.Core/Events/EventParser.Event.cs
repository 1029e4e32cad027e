using System.Text.Json;

namespace Eventide.Core.Events;

public sealed partial class EventParser
{
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
}
