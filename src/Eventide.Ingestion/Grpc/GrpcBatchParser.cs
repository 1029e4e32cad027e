using System.Buffers;
using System.Text;
using System.Text.Json;
using Eventide.Core.Events;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Ingestion.Grpc;

/// <summary>
/// Validates a gRPC batch with exactly the rules of the HTTP API by writing its events as the
/// JSON array HTTP would receive and running the same <see cref="EventParser"/> over it: one
/// validator, so both transports accept, reject and word their errors the same. Only what the
/// protobuf shape adds is checked here first (a timestamp out of range, properties_json that
/// is not JSON text); those events stay out of the array and the parser's indexes are mapped
/// back to the batch's.
/// </summary>
internal sealed class GrpcBatchParser(EventParser parser)
{
    private static readonly JsonReaderOptions PropertiesReader = new() { MaxDepth = EventParser.MaxJsonDepth };

    /// <summary>Reused for every batch of one stream; batches of a stream are parsed one at a time.</summary>
    private readonly ArrayBufferWriter<byte> _json = new(16 * 1024);

    private readonly List<int> _indexes = [];

    /// <summary>Valid events and every rejection, both in batch index order.</summary>
    public (List<IndexedEvent> Valid, List<EventError> Errors) Parse(V1.EventBatch batch, DateTimeOffset receivedAt)
    {
        _json.ResetWrittenCount();
        _indexes.Clear();
        List<EventError>? early = null;
        using (var json = new Utf8JsonWriter(_json, IntakeJson.WriterOptions))
        {
            json.WriteStartArray();
            for (var i = 0; i < batch.Events.Count; i++)
            {
                var e = batch.Events[i];
                if (Check(e, i) is { } error)
                {
                    (early ??= []).Add(error);
                    continue;
                }
                _indexes.Add(i);
                Write(json, e);
            }
            json.WriteEndArray();
        }
        if (_indexes.Count == 0)
        {
            return ([], early ?? []);
        }
        var parsed = parser.Parse(_json.WrittenSpan, BodyFormat.Json, receivedAt);
        var valid = new List<IndexedEvent>(parsed.Valid.Count);
        foreach (var v in parsed.Valid)
        {
            valid.Add(v with { Index = _indexes[v.Index] });
        }
        var errors = new List<EventError>(parsed.Errors.Count);
        foreach (var r in parsed.Errors)
        {
            errors.Add(r with { Index = _indexes[r.Index] });
        }
        return (valid, early is null ? errors : IntakeErrors.MergeByIndex(early, errors));
    }

    private static EventError? Check(V1.Event e, int index)
    {
        if (e.Timestamp is { } t && (t.Nanos is < 0 or > 999_999_999 || t.Seconds is < -62135596800 or > 253402300799))
        {
            return new EventError(index, "timestamp",
                "The timestamp is out of range: seconds must lie in years 0001-9999 and nanos in 0-999999999.", RejectReason.Invalid);
        }
        if (e.PropertiesJson.Length > 0)
        {
            var text = Encoding.UTF8.GetBytes(e.PropertiesJson);
            var reader = new Utf8JsonReader(text, PropertiesReader);
            try
            {
                reader.Read();
                reader.Skip();
                // A second value ({"a":1} {"b":2}) throws here: JSON text is one value.
                reader.Read();
            }
            catch (JsonException ex)
            {
                return new EventError(index, "properties", $"properties_json must be the JSON text of one object: {ex.Message}", RejectReason.Invalid);
            }
        }
        return null;
    }

    private static void Write(Utf8JsonWriter json, V1.Event e)
    {
        json.WriteStartObject();
        // proto3 strings cannot be absent, so empty means "not sent": the parser then applies
        // the model's rule for a missing field (required, or a default).
        WriteText(json, "site_id"u8, e.SiteId);
        WriteText(json, "name"u8, e.Name);
        if (e.Timestamp is { } t)
        {
            json.WriteString("timestamp"u8, t.ToDateTimeOffset());
        }
        WriteText(json, "event_id"u8, e.EventId);
        WriteText(json, "path"u8, e.Path);
        WriteText(json, "referrer"u8, e.Referrer);
        WriteText(json, "user_id"u8, e.UserId);
        WriteText(json, "session_id"u8, e.SessionId);
        if (e.PropertiesJson.Length > 0)
        {
            json.WritePropertyName("properties"u8);
            // Checked to be one JSON value in Check; the parser validates the rest (object, size, depth, keys).
            json.WriteRawValue(e.PropertiesJson, skipInputValidation: true);
        }
        json.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter json, ReadOnlySpan<byte> name, string value)
    {
        if (value.Length > 0)
        {
            json.WriteString(name, value);
        }
    }
}
