using Eventide.Core;
using Eventide.Core.Events;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Http;

namespace Eventide.Ingestion;

public sealed partial class IntakeGate
{
    /// <summary>
    /// Decides which parsed events a caller may store: the body's own problem refuses it whole
    /// (400 malformed, 413 too many events); events of sites the write key does not cover are
    /// rejected by index; with nothing left, the refusal is 403 (some site not covered) or 400.
    /// Counts the rejected events.
    /// </summary>
    public (List<EventRecord> Accepted, List<EventError> Errors, IResult? Refusal) Admit(Caller caller, EventBatch batch)
    {
        switch (batch.Problem)
        {
            case BodyProblem.Malformed:
                return ([], [], IntakeProblems.Problem(StatusCodes.Status400BadRequest, "Invalid request body", batch.ProblemDetail!));
            case BodyProblem.TooManyEvents:
                return ([], [], IntakeProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Too many events", batch.ProblemDetail!));
            default:
                break;
        }
        return Admit(caller, batch.Valid, batch.Errors, batch.Count);
    }

    /// <summary>
    /// <see cref="Admit(Caller, EventBatch)"/> for events validated elsewhere: <paramref name="valid"/> and
    /// <paramref name="rejected"/> in index order, <paramref name="count"/> events in all.
    /// </summary>
    public (List<EventRecord> Accepted, List<EventError> Errors, IResult? Refusal) Admit(Caller caller, List<IndexedEvent> valid,
        List<EventError> rejected, int count)
    {
        var site = caller.Site!;
        var accepted = new List<EventRecord>(valid.Count);
        List<EventError>? notCovered = null;
        foreach (var (index, e) in valid)
        {
            if (caller.CanWrite(e.SiteId))
            {
                accepted.Add(e);
                continue;
            }
            (notCovered ??= []).Add(new EventError(index, "site_id",
                $"The write key belongs to site '{site}' and does not cover site '{e.SiteId}'; send that site's events with its own key.",
                RejectReason.Forbidden));
        }
        var errors = notCovered is null ? rejected : IntakeErrors.MergeByIndex(rejected, notCovered);
        CountRejections(errors);
        if (accepted.Count == 0)
        {
            return (accepted, errors, notCovered is not null
                ? IntakeProblems.Problem(StatusCodes.Status403Forbidden, "Site not covered by the key",
                    $"No event was accepted and the write key (site '{site}') does not cover the site of at least one of them; use each site's own write key. See errors for every event.", errors)
                : IntakeProblems.Problem(StatusCodes.Status400BadRequest, "No valid events",
                    $"All {count} events were rejected; see errors for each event's index, field and reason.", errors));
        }
        return (accepted, errors, null);
    }
}
