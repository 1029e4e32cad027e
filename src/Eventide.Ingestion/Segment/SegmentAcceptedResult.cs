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
    private static readonly JsonEncodedText Rejected = JsonEncodedText.Encode("rejected");
    private static readonly JsonEncodedText MessageId = JsonEncodedText.Encode("messageId");
    private static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext) =>
        IntakeJson.WriteAsync(httpContext, StatusCodes.Status200OK, "application/json; charset=utf-8", json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("success"u8, true);
            if (rejected.Count > 0)
            {
                IntakeJson.WriteRejections(json, Rejected, rejected, MessageId, Reason, static r => (r.Index, r.MessageId, r.Reason));
            }
            json.WriteEndObject();
        });
}
