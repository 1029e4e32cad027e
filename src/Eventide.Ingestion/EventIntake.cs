using System.Diagnostics;
using System.Globalization;
using Eventide.Core;
using Eventide.Core.Events;
using Eventide.Ingestion.Commit;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Eventide.Ingestion;

/// <summary>
/// One intake request from header to answer: authenticate, read the body
/// under its caps, parse and validate, check the key covers each event's site,
/// rate-limit, group-commit, answer. Every refusal is problem+json saying
/// what to change; a 202 is sent only after the accepted events committed.
/// </summary>
public sealed class EventIntake
{
    /// <summary>Even when the key lookup ate most of the budget, a commit gets this long.</summary>
    private static readonly TimeSpan MinCommitWait = TimeSpan.FromMilliseconds(100);

    private readonly ApiKeyAuthenticator _auth;
    private readonly EventParser _parser;
    private readonly SiteRateLimiter _rateLimiter;
    private readonly GroupCommitter _committer;
    private readonly IngestionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EventIntake> _logger;

    /// <summary>
    /// A write-key lookup that takes longer is answered 503: the database is the only place keys
    /// live. It shares the request's CommitTimeoutMs budget, leaving at least 100 ms for the commit.
    /// </summary>
    private readonly TimeSpan _keyLookupTimeout;

    public EventIntake(IngestionDatabase database, EventParser parser, SiteRateLimiter rateLimiter, GroupCommitter committer,
        EventideOptions options, ILogger<EventIntake> logger, TimeProvider? time = null)
    {
        // Keys are looked up through the fail-fast data source, so a dead database costs a request
        // the key lookup timeout at most. Cached keys keep working while it is down.
        _auth = new ApiKeyAuthenticator(database.DataSource, options, time);
        _parser = parser;
        _rateLimiter = rateLimiter;
        _committer = committer;
        _options = options.Ingestion;
        _keyLookupTimeout = TimeSpan.FromMilliseconds(Math.Max(50, options.Ingestion.CommitTimeoutMs - 100));
        _time = time ?? TimeProvider.System;
        _logger = logger;
    }

    /// <summary>
    /// Runs the key lookup and the parser once so the first real request does not pay
    /// connection setup and first-call costs against its commit deadline.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await _auth.AuthenticateAsync(ApiKey.Generate(ApiKeyKind.Write), cancellationToken);
        _parser.Parse("""{"site_id":"warm-up","name":"warm-up"}"""u8, BodyFormat.Json, _time.GetUtcNow());
    }

    /// <param name="context">The request.</param>
    /// <param name="trackerFormat">The simple tracker endpoint: also accepts epoch-millisecond timestamps.</param>
    public async Task<IResult> HandleAsync(HttpContext context, bool trackerFormat)
    {
        var result = await HandleCoreAsync(context, trackerFormat);
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status500InternalServerError;
        IngestionMetrics.Requests.Add(1, new KeyValuePair<string, object?>("status", StatusTag(status)));
        return result;
    }

    private async Task<IResult> HandleCoreAsync(HttpContext context, bool trackerFormat)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;

        Caller caller;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(_keyLookupTimeout);
            caller = await _auth.AuthenticateHeaderAsync(request.Headers.Authorization.ToString(), timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            Log.KeyLookupFailed(_logger, ex.Message);
            return Unavailable(context, "The write key could not be checked because the database is unreachable. Nothing was stored; retry after the indicated delay.");
        }
        if (caller.Kind == CallerKind.None)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Missing or unknown write key",
                "Send the site's write key as 'Authorization: Bearer evw_...'. Create one with `eventide sites create <site>`.");
        }
        if (caller.Kind != CallerKind.Write)
        {
            return Problem(StatusCodes.Status403Forbidden, "This key cannot write events",
                "The key is a read key or the admin token; posting events needs the site's write key (evw_...).");
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Content-Encoding",
                $"Content-Encoding '{encoding}' is not supported; send the body uncompressed or with Content-Encoding: gzip.");
        }

        var receivedAt = _time.GetUtcNow();
        var (read, body) = await RequestBodyReader.ReadAsync(request, gzip, _options.MaxBodyBytes, context.RequestAborted);
        EventBatch batch;
        using (body)
        {
            switch (read)
            {
                case RequestBodyReader.Status.TooLarge:
                    return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large",
                        $"The body{(gzip ? " (after gzip decompression)" : "")} exceeds {_options.MaxBodyBytes} bytes (Eventide:Ingestion:MaxBodyBytes); split it into several requests.");
                case RequestBodyReader.Status.BadGzip:
                    return Problem(StatusCodes.Status400BadRequest, "Invalid request body",
                        "The body is not valid gzip data although Content-Encoding says gzip.");
                default:
                    break;
            }
            batch = _parser.Parse(body!.Span, FormatOf(request), receivedAt, allowEpochMillis: trackerFormat);
        }
        switch (batch.Problem)
        {
            case BodyProblem.Malformed:
                return Problem(StatusCodes.Status400BadRequest, "Invalid request body", batch.ProblemDetail!);
            case BodyProblem.TooManyEvents:
                return Problem(StatusCodes.Status413PayloadTooLarge, "Too many events", batch.ProblemDetail!);
            default:
                break;
        }

        var site = caller.Site!;
        var accepted = new List<EventRecord>(batch.Valid.Count);
        List<EventError>? notCovered = null;
        foreach (var (index, e) in batch.Valid)
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
        var errors = notCovered is null ? batch.Errors : MergeByIndex(batch.Errors, notCovered);
        CountRejections(errors);
        if (accepted.Count == 0)
        {
            return notCovered is not null
                ? Problem(StatusCodes.Status403Forbidden, "Site not covered by the key",
                    $"No event was accepted and the write key (site '{site}') does not cover the site of at least one of them; use each site's own write key. See errors for every event.", errors)
                : Problem(StatusCodes.Status400BadRequest, "No valid events",
                    $"All {batch.Count} events were rejected; see errors for each event's index, field and reason.", errors);
        }

        if (!_rateLimiter.TryAcquire(site, accepted.Count, out var retryAfter))
        {
            CountEvents("rejected", "rate_limited", accepted.Count);
            SetRetryAfter(context, retryAfter);
            return Problem(StatusCodes.Status429TooManyRequests, "Rate limit exceeded",
                $"Site '{site}' may send {_options.RateLimitPerSecond} events per second (bursts of {_options.RateLimitBurst}); " +
                $"retry this request after {RetryAfterSeconds(retryAfter)} s. Nothing was stored.");
        }

        var wait = TimeSpan.FromMilliseconds(_options.CommitTimeoutMs) - Stopwatch.GetElapsedTime(started);
        var outcome = await _committer.CommitAsync(accepted, wait > MinCommitWait ? wait : MinCommitWait);
        if (outcome != CommitOutcome.Committed)
        {
            _rateLimiter.Refund(site, accepted.Count);
            CountEvents("rejected", "unavailable", accepted.Count);
            return outcome switch
            {
                CommitOutcome.BufferFull => Unavailable(context,
                    "Ingestion is saturated: too many events are waiting to be committed. Nothing was stored; retry after the indicated delay."),
                CommitOutcome.ShuttingDown => Unavailable(context, "This ingestion instance is shutting down. Nothing was stored; retry."),
                CommitOutcome.InDoubt => Unavailable(context,
                    "The database connection was lost while committing, so these events may or may not be stored. Retry with the same event_id values " +
                    "(listed in ids); the pipeline drops duplicates by (site_id, event_id).", accepted),
                _ => Unavailable(context, "The events could not be committed in time because the database is unreachable or slow. Nothing was stored; retry after the indicated delay."),
            };
        }
        CountEvents("accepted", "ok", accepted.Count);
        return new IntakeAcceptedResult(accepted, errors, CountRejectedEvents(errors));
    }

    private static BodyFormat FormatOf(HttpRequest request)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
        {
            var media = type.MediaType.Value;
            if (string.Equals(media, "application/x-ndjson", StringComparison.OrdinalIgnoreCase)
                || string.Equals(media, "application/ndjson", StringComparison.OrdinalIgnoreCase)
                || string.Equals(media, "application/jsonl", StringComparison.OrdinalIgnoreCase))
            {
                return BodyFormat.Ndjson;
            }
        }
        return BodyFormat.Json;
    }

    /// <summary>Merges two index-ordered lists, keeping each event's own errors in their order.</summary>
    private static List<EventError> MergeByIndex(List<EventError> a, List<EventError> b)
    {
        var merged = new List<EventError>(a.Count + b.Count);
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            merged.Add(j == b.Count || (i < a.Count && a[i].Index <= b[j].Index) ? a[i++] : b[j++]);
        }
        return merged;
    }

    private static int CountRejectedEvents(List<EventError> errors)
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

    /// <summary>One count per rejected event, under the reason of its first error.</summary>
    private static void CountRejections(List<EventError> errors)
    {
        for (var i = 0; i < errors.Count; i++)
        {
            if (i == 0 || errors[i].Index != errors[i - 1].Index)
            {
                CountEvents("rejected", ReasonTag(errors[i].Reason), 1);
            }
        }
    }

    private static void CountEvents(string outcome, string reason, int count) =>
        IngestionMetrics.Events.Add(count, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("reason", reason));

    private static string ReasonTag(RejectReason reason) => reason switch
    {
        RejectReason.TooLarge => "too_large",
        RejectReason.Future => "future",
        RejectReason.TooOld => "too_old",
        RejectReason.Forbidden => "forbidden",
        _ => "invalid",
    };

    private static string StatusTag(int status) => status switch
    {
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

    private static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    private static void SetRetryAfter(HttpContext context, TimeSpan wait) =>
        context.Response.Headers.RetryAfter = RetryAfterSeconds(wait).ToString(CultureInfo.InvariantCulture);

    private static IResult Unavailable(HttpContext context, string detail, List<EventRecord>? inDoubt = null)
    {
        SetRetryAfter(context, TimeSpan.FromSeconds(1));
        return new IntakeProblemResult(StatusCodes.Status503ServiceUnavailable, "Ingestion unavailable", detail)
        {
            Ids = inDoubt?.ConvertAll(e => e.EventId),
        };
    }

    private static IResult Problem(int status, string title, string detail, List<EventError>? errors = null) =>
        new IntakeProblemResult(status, title, detail) { Errors = errors, Rejected = errors is null ? 0 : CountRejectedEvents(errors) };
}
