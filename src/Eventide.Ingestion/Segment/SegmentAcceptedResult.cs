using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Eventide.Ingestion.Segment;

/// <summary>
/// The 200 a Segment SDK expects, <c>{"success": true}</c>, sent once the valid messages and
/// the dead letters of the rejected ones are committed; the rejected ones are listed as
/// <c>"rejected": [{"index", "messageId", "reason"}]</c>.
/// </summary>
internal sealed class SegmentAcceptedResult(List<SegmentRejection> rejected) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext) =>
        IntakeAcceptedResult.WriteJsonAsync(httpContext, StatusCodes.Status200OK, "application/json; charset=utf-8", json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("success"u8, true);
            if (rejected.Count > 0)
            {
                json.WriteStartArray("rejected"u8);
                foreach (var r in rejected)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index"u8, r.Index);
                    json.WriteString("messageId"u8, r.MessageId);
                    json.WriteString("reason"u8, r.Reason);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
}
