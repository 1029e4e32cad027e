using System.Text;
using System.Text.Json;

namespace Eventide.Core.Events;

public sealed partial class EventParser
{
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
}
