using System.Text.Encodings.Web;
using System.Text.Json;
using Eventide.Core.Events;
using Microsoft.AspNetCore.Http;

namespace Eventide.Ingestion;

/// <summary>
/// How intake answers are written: straight to the response pipe (no intermediate string or
/// DOM), with one writer setup, and one writer for the per-item rejections that every answer
/// lists (the event API's errors, the problem's errors, Segment's rejected messages).
/// </summary>
internal static class IntakeJson
{
    /// <summary>Messages quote field values and names ('site'): keep them readable, not \u0027. The body is JSON, never HTML.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonEncodedText Errors = JsonEncodedText.Encode("errors");
    private static readonly JsonEncodedText Index = JsonEncodedText.Encode("index");
    private static readonly JsonEncodedText Field = JsonEncodedText.Encode("field");
    private static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");

    /// <summary>Writes an answer's JSON straight to the response pipe.</summary>
    internal static async Task WriteAsync(HttpContext httpContext, int status, string contentType, Action<Utf8JsonWriter> write)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        await using (var json = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            write(json);
        }
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>Writes <c>"errors": [{"index", "field", "message"}]</c>.</summary>
    internal static void WriteErrors(Utf8JsonWriter json, List<EventError> errors) =>
        WriteRejections(json, Errors, errors, Field, Message, static e => (e.Index, e.Field, e.Message));

    /// <summary>
    /// Writes <c>name: [{"index": i, first: …, second: …}]</c>, the one shape in which every
    /// answer lists the items it rejected, each by its index in the request.
    /// </summary>
    internal static void WriteRejections<T>(Utf8JsonWriter json, JsonEncodedText name, List<T> items,
        JsonEncodedText first, JsonEncodedText second, Func<T, (int Index, string? First, string? Second)> fields)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            var (index, a, b) = fields(item);
            json.WriteStartObject();
            json.WriteNumber(Index, index);
            json.WriteString(first, a);
            json.WriteString(second, b);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
