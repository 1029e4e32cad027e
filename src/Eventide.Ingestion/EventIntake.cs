using System.Diagnostics;
using Eventide.Core;
using Eventide.Core.Events;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Eventide.Ingestion;

/// <summary>
/// One intake request from header to answer: authenticate, read the body
/// under its caps, parse and validate, check the key covers each event's site,
/// rate-limit, group-commit, answer. Every refusal is problem+json saying
/// what to change; a 202 is sent only after the accepted events committed.
/// </summary>
public sealed class EventIntake(IntakeGate gate, EventParser parser, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Runs the key lookup and the parser once so the first real request does not pay
    /// connection setup and first-call costs against its commit deadline.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await gate.WarmUpAsync(cancellationToken);
        parser.Parse("""{"site_id":"warm-up","name":"warm-up"}"""u8, BodyFormat.Json, _time.GetUtcNow());
    }

    /// <param name="context">The request.</param>
    /// <param name="trackerFormat">The simple tracker endpoint: also accepts epoch-millisecond timestamps.</param>
    public async Task<IResult> HandleAsync(HttpContext context, bool trackerFormat) =>
        gate.Answered(await HandleCoreAsync(context, trackerFormat));

    private async Task<IResult> HandleCoreAsync(HttpContext context, bool trackerFormat)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;

        var (caller, refusal) = await gate.AuthenticateAsync(context, ApiKeyAuthenticator.BearerToken(request.Headers.Authorization.ToString()),
            "Send the site's write key as 'Authorization: Bearer evw_...'. Create one with `eventide sites create <site>`.");
        if (refusal is not null)
        {
            return refusal;
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Content-Encoding",
                $"Content-Encoding '{encoding}' is not supported; send the body uncompressed or with Content-Encoding: gzip.");
        }

        var options = gate.Options;
        var receivedAt = _time.GetUtcNow();
        var (read, body) = await RequestBodyReader.ReadAsync(request, gzip, options.MaxBodyBytes, context.RequestAborted);
        EventBatch batch;
        using (body)
        {
            switch (read)
            {
                case RequestBodyReader.Status.TooLarge:
                    return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large",
                        $"The body{(gzip ? " (after gzip decompression)" : "")} exceeds {options.MaxBodyBytes} bytes (Eventide:Ingestion:MaxBodyBytes); split it into several requests.");
                case RequestBodyReader.Status.BadGzip:
                    return Problem(StatusCodes.Status400BadRequest, "Invalid request body",
                        "The body is not valid gzip data although Content-Encoding says gzip.");
                default:
                    break;
            }
            batch = parser.Parse(body!.Span, FormatOf(request), receivedAt, allowEpochMillis: trackerFormat);
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

        var site = caller!.Site!;
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
        gate.CountRejections(errors);
        if (accepted.Count == 0)
        {
            return notCovered is not null
                ? Problem(StatusCodes.Status403Forbidden, "Site not covered by the key",
                    $"No event was accepted and the write key (site '{site}') does not cover the site of at least one of them; use each site's own write key. See errors for every event.", errors)
                : Problem(StatusCodes.Status400BadRequest, "No valid events",
                    $"All {batch.Count} events were rejected; see errors for each event's index, field and reason.", errors);
        }

        if (gate.TryRateLimit(context, site, accepted.Count) is { } limited)
        {
            return limited;
        }
        if (await gate.CommitAsync(context, site, accepted, started) is { } unavailable)
        {
            return unavailable;
        }
        return new IntakeAcceptedResult(accepted, errors, IntakeGate.CountRejectedEvents(errors));
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

    private static IResult Problem(int status, string title, string detail, List<EventError>? errors = null) =>
        IntakeGate.Problem(status, title, detail, errors);
}
