using System.Diagnostics;
using Eventide.Core;
using Eventide.Ingestion.Commit;
using Microsoft.AspNetCore.Http;

namespace Eventide.Ingestion;

public sealed partial class IntakeGate
{
    /// <summary>What is left of the request's commit budget (CommitTimeoutMs from <paramref name="started"/>), at least 100 ms.</summary>
    public TimeSpan RemainingBudget(long started)
    {
        var wait = TimeSpan.FromMilliseconds(_options.CommitTimeoutMs) - Stopwatch.GetElapsedTime(started);
        return wait > MinCommitWait ? wait : MinCommitWait;
    }

    /// <summary>
    /// Group-commits events that already hold their rate-limit tokens. Returns null once they are
    /// durable, or the 503 to answer (tokens refunded, events counted as unavailable).
    /// </summary>
    public async Task<IResult?> CommitAsync(string site, List<EventRecord> accepted, long started)
    {
        if (_highWater.Exceeded)
        {
            // Refused before the commit: the processors are behind, and more inbox rows would only
            // grow the backlog towards a full disk. A cached verdict, so this costs no query.
            _rateLimiter.Refund(site, accepted.Count);
            CountEvents("rejected", "inbox_full", accepted.Count);
            return IntakeProblems.Unavailable(
                "The pipeline is behind: the inbox holds more events than its high-water mark (Eventide:Ingestion:InboxHighWater) allows. Nothing was stored; retry after the indicated delay.",
                retryAfter: InboxHighWater.RetryAfter);
        }
        var outcome = await _committer.CommitAsync(accepted, RemainingBudget(started));
        if (outcome == CommitOutcome.Committed)
        {
            CountEvents("accepted", "ok", accepted.Count);
            return null;
        }
        _rateLimiter.Refund(site, accepted.Count);
        CountEvents("rejected", "unavailable", accepted.Count);
        return outcome switch
        {
            CommitOutcome.BufferFull => IntakeProblems.Unavailable(
                "Ingestion is saturated: too many events are waiting to be committed. Nothing was stored; retry after the indicated delay."),
            CommitOutcome.ShuttingDown => IntakeProblems.Unavailable("This ingestion instance is shutting down. Nothing was stored; retry."),
            CommitOutcome.InDoubt => IntakeProblems.Unavailable(
                "The database connection was lost while committing, so these events may or may not be stored. Retry with the same event_id values " +
                "(listed in ids); the pipeline drops duplicates by (site_id, event_id).", accepted),
            _ => IntakeProblems.Unavailable("The events could not be committed in time because the database is unreachable or slow. Nothing was stored; retry after the indicated delay."),
        };
    }
}
