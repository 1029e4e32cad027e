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
    public int? StatusCode => StatusCodes.Status202Accepted;

    public Task ExecuteAsync(HttpContext httpContext) =>
        IntakeJson.WriteAsync(httpContext, StatusCodes.Status202Accepted, "application/json; charset=utf-8", json =>
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
            IntakeJson.WriteErrors(json, errors);
            json.WriteEndObject();
        });
}
