using Eventide.Core;
using Eventide.Core.Events;
using Microsoft.AspNetCore.Http;

namespace Eventide.Ingestion;

/// <summary>The problem+json answers every intake API refuses with (RFC 9457), so each refuses the same way.</summary>
public static class IntakeProblems
{
    public static IResult Unavailable(string detail, List<EventRecord>? inDoubt = null, TimeSpan? retryAfter = null) =>
        new IntakeProblemResult(StatusCodes.Status503ServiceUnavailable, "Ingestion unavailable", detail)
        {
            Ids = inDoubt?.ConvertAll(e => e.EventId),
            RetryAfter = retryAfter ?? TimeSpan.FromSeconds(1),
        };

    public static IResult Problem(int status, string title, string detail, List<EventError>? errors = null) =>
        new IntakeProblemResult(status, title, detail) { Errors = errors, Rejected = errors is null ? 0 : IntakeErrors.CountRejectedEvents(errors) };
}
