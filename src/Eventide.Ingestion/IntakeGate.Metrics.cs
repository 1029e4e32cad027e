using System.Globalization;
using Eventide.Core.Events;
using Microsoft.AspNetCore.Http;

namespace Eventide.Ingestion;

public sealed partial class IntakeGate
{
    /// <summary>Counts the request under its answer's status.</summary>
    public IResult Answered(IResult result)
    {
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status500InternalServerError;
        _metrics.Requests.Add(1, new KeyValuePair<string, object?>("status", StatusTag(status)));
        return result;
    }

    /// <summary>One count per rejected event, under the reason of its first error.</summary>
    public void CountRejections(List<EventError> errors)
    {
        for (var i = 0; i < errors.Count; i++)
        {
            if (i == 0 || errors[i].Index != errors[i - 1].Index)
            {
                CountEvents("rejected", ReasonTag(errors[i].Reason), 1);
            }
        }
    }

    public void CountEvents(string outcome, string reason, int count) =>
        _metrics.Events.Add(count, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>The <c>reason</c> tag of a rejection in the events metric.</summary>
    public static string ReasonTag(RejectReason reason) => reason switch
    {
        RejectReason.TooLarge => "too_large",
        RejectReason.Future => "future",
        RejectReason.TooOld => "too_old",
        RejectReason.Forbidden => "forbidden",
        _ => "invalid",
    };


    private static string StatusTag(int status) => status switch
    {
        200 => "200",
        202 => "202",
        400 => "400",
        401 => "401",
        403 => "403",
        413 => "413",
        415 => "415",
        429 => "429",
        503 => "503",
        _ => status.ToString(CultureInfo.InvariantCulture),
    };
}
