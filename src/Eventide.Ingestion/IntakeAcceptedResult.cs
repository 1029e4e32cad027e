using System.Text.Encodings.Web;
using System.Text.Json;
using Eventide.Core;
using Eventide.Core.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Eventide.Ingestion;

/// <summary>
/// The 202 body: <c>{"accepted": n, "rejected": m, "ids": [...], "errors": [{"index", "field", "message"}]}</c>,
/// with ids of the accepted events in request order. Written straight to the response
/// pipe: no intermediate objects per event.
/// </summary>
internal sealed class IntakeAcceptedResult(List<EventRecord> accepted, List<EventError> errors, int rejected) : IResult, IStatusCodeHttpResult
{
    /// <summary>Messages quote field values and names ('site'): keep them readable, not \u0027. The body is JSON, never HTML.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int? StatusCode => StatusCodes.Status202Accepted;

    public Task ExecuteAsync(HttpContext httpContext) =>
        WriteJsonAsync(httpContext, StatusCodes.Status202Accepted, "application/json; charset=utf-8", json =>
        {
            json.WriteStartObject();
            json.WriteNumber("accepted"u8, accepted.Count);
            json.WriteNumber("rejected"u8, rejected);
            json.WriteStartArray("ids"u8);
            foreach (var e in accepted)
            {
                json.WriteStringValue(e.EventId);
            }
            json.WriteEndArray();
            WriteErrors(json, errors);
            json.WriteEndObject();
        });

    /// <summary>Writes an answer's JSON straight to the response pipe: no intermediate string or DOM.</summary>
    internal static async Task WriteJsonAsync(HttpContext httpContext, int status, string contentType, Action<Utf8JsonWriter> write)
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

    internal static void WriteErrors(Utf8JsonWriter json, List<EventError> errors)
    {
        json.WriteStartArray("errors"u8);
        foreach (var error in errors)
        {
            json.WriteStartObject();
            json.WriteNumber("index"u8, error.Index);
            json.WriteString("field"u8, error.Field);
            json.WriteString("message"u8, error.Message);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
