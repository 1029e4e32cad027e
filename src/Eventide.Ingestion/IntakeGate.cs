using System.Diagnostics;
using System.Globalization;
using Eventide.Core;
using Eventide.Core.Events;
using Eventide.Ingestion.Commit;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion;

/// <summary>
/// The steps every intake API shares, whatever its wire format (the Eventide event API,
/// the Segment Tracking API): write-key lookup under a deadline, the per-site rate limit,
/// the group commit with its 503 semantics, and the request and event metrics. One place,
/// so every API refuses, limits and commits the same way.
/// </summary>
public sealed class IntakeGate
{
    /// <summary>Even when the key lookup ate most of the budget, a commit gets this long.</summary>
    private static readonly TimeSpan MinCommitWait = TimeSpan.FromMilliseconds(100);

    private readonly ApiKeyAuthenticator _auth;
    private readonly SiteRateLimiter _rateLimiter;
    private readonly GroupCommitter _committer;
    private readonly IngestionOptions _options;
    private readonly ILogger<IntakeGate> _logger;

    /// <summary>
    /// A write-key lookup that takes longer is answered 503: the database is the only place keys
    /// live. It shares the request's CommitTimeoutMs budget, leaving at least 100 ms for the commit.
    /// </summary>
    private readonly TimeSpan _keyLookupTimeout;
    private readonly IngestionMetrics _metrics;
    private readonly InboxHighWater _highWater;

    public IntakeGate(IngestionDatabase database, SiteRateLimiter rateLimiter, GroupCommitter committer, EventideOptions options,
        IngestionMetrics metrics, InboxHighWater highWater, ILogger<IntakeGate> logger, TimeProvider? time = null)
    {
        _highWater = highWater;
        _metrics = metrics;
        // Keys are looked up through the fail-fast data source, so a dead database costs a request
        // the key lookup timeout at most. Cached keys keep working while it is down.
        _auth = new ApiKeyAuthenticator(database.DataSource, options, time);
        _rateLimiter = rateLimiter;
        _committer = committer;
        _options = options.Ingestion;
        _keyLookupTimeout = TimeSpan.FromMilliseconds(Math.Max(50, options.Ingestion.CommitTimeoutMs - 100));
        _logger = logger;
    }

    public IngestionOptions Options => _options;

    /// <summary>The first key lookup opens a connection; warming it keeps that cost off the first request.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken) =>
        _auth.AuthenticateAsync(ApiKey.Generate(ApiKeyKind.Write), cancellationToken);

    /// <summary>
    /// Resolves a write key. Returns the caller, or the refusal to answer with: 401 for a
    /// missing or unknown key (<paramref name="missingKeyDetail"/> says how to send one), 403 for
    /// a key that cannot write, 503 when the lookup could not reach the database in time.
    /// </summary>
    public async Task<(Caller? Caller, IResult? Refusal)> AuthenticateAsync(string? key, string missingKeyDetail, CancellationToken aborted)
    {
        Caller caller;
        if (key is null)
        {
            caller = Caller.Anonymous;
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                timeout.CancelAfter(_keyLookupTimeout);
                caller = await _auth.AuthenticateAsync(key, timeout.Token).WaitAsync(timeout.Token);
            }
            catch (Exception ex) when (!aborted.IsCancellationRequested)
            {
                Log.KeyLookupFailed(_logger, ex);
                return (null, Unavailable(
                    "The write key could not be checked because the database is unreachable. Nothing was stored; retry after the indicated delay."));
            }
        }
        if (caller.Kind == CallerKind.None)
        {
            return (null, Problem(StatusCodes.Status401Unauthorized, "Missing or unknown write key", missingKeyDetail));
        }
        if (caller.Kind != CallerKind.Write)
        {
            return (null, Problem(StatusCodes.Status403Forbidden, "This key cannot write events",
                "The key is a read key or the admin token; posting events needs the site's write key (evw_...)."));
        }
        return (caller, null);
    }

    /// <summary>Takes rate-limit tokens for the events, or returns the 429 to answer (nothing stored).</summary>
    public IResult? TryRateLimit(string site, int events)
    {
        if (_rateLimiter.TryAcquire(site, events, out var retryAfter))
        {
            return null;
        }
        CountEvents("rejected", "rate_limited", events);
        return new IntakeProblemResult(StatusCodes.Status429TooManyRequests, "Rate limit exceeded",
            $"Site '{site}' may send {_options.RateLimitPerSecond} events per second (bursts of {_options.RateLimitBurst}); " +
            $"retry this request after {IntakeProblemResult.RetryAfterSeconds(retryAfter)} s. Nothing was stored.")
        {
            RetryAfter = retryAfter,
        };
    }

    /// <summary>Gives back tokens taken by <see cref="TryRateLimit"/> for events that end up refused with 503.</summary>
    public void RefundRateLimit(string site, int events) => _rateLimiter.Refund(site, events);

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
            return Unavailable(
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
            CommitOutcome.BufferFull => Unavailable(
                "Ingestion is saturated: too many events are waiting to be committed. Nothing was stored; retry after the indicated delay."),
            CommitOutcome.ShuttingDown => Unavailable("This ingestion instance is shutting down. Nothing was stored; retry."),
            CommitOutcome.InDoubt => Unavailable(
                "The database connection was lost while committing, so these events may or may not be stored. Retry with the same event_id values " +
                "(listed in ids); the pipeline drops duplicates by (site_id, event_id).", accepted),
            _ => Unavailable("The events could not be committed in time because the database is unreachable or slow. Nothing was stored; retry after the indicated delay."),
        };
    }

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
                return ([], [], Problem(StatusCodes.Status400BadRequest, "Invalid request body", batch.ProblemDetail!));
            case BodyProblem.TooManyEvents:
                return ([], [], Problem(StatusCodes.Status413PayloadTooLarge, "Too many events", batch.ProblemDetail!));
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
        var errors = notCovered is null ? rejected : MergeByIndex(rejected, notCovered);
        CountRejections(errors);
        if (accepted.Count == 0)
        {
            return (accepted, errors, notCovered is not null
                ? Problem(StatusCodes.Status403Forbidden, "Site not covered by the key",
                    $"No event was accepted and the write key (site '{site}') does not cover the site of at least one of them; use each site's own write key. See errors for every event.", errors)
                : Problem(StatusCodes.Status400BadRequest, "No valid events",
                    $"All {count} events were rejected; see errors for each event's index, field and reason.", errors));
        }
        return (accepted, errors, null);
    }

    /// <summary>Merges two index-ordered lists, keeping each event's own errors in their order.</summary>
    public static List<EventError> MergeByIndex(List<EventError> a, List<EventError> b)
    {
        var merged = new List<EventError>(a.Count + b.Count);
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            merged.Add(j == b.Count || (i < a.Count && a[i].Index <= b[j].Index) ? a[i++] : b[j++]);
        }
        return merged;
    }

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

    public static IResult Unavailable(string detail, List<EventRecord>? inDoubt = null, TimeSpan? retryAfter = null) =>
        new IntakeProblemResult(StatusCodes.Status503ServiceUnavailable, "Ingestion unavailable", detail)
        {
            Ids = inDoubt?.ConvertAll(e => e.EventId),
            RetryAfter = retryAfter ?? TimeSpan.FromSeconds(1),
        };

    public static IResult Problem(int status, string title, string detail, List<EventError>? errors = null) =>
        new IntakeProblemResult(status, title, detail) { Errors = errors, Rejected = errors is null ? 0 : CountRejectedEvents(errors) };

    /// <summary>How many events the index-ordered errors reject (an event may have several errors).</summary>
    public static int CountRejectedEvents(List<EventError> errors)
    {
        var count = 0;
        for (var i = 0; i < errors.Count; i++)
        {
            if (i == 0 || errors[i].Index != errors[i - 1].Index)
            {
                count++;
            }
        }
        return count;
    }

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
