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
    /// <param name="seedRoute">
    /// A seed route (POST /event, /events, /webhook/event): the lenient seed payload shapes
    /// (<see cref="SeedShapes"/>) and epoch-millisecond timestamps; /v1/events stays strict.
    /// </param>
    public async Task<IResult> HandleAsync(HttpContext context, bool seedRoute) =>
        gate.Answered(await HandleCoreAsync(context, seedRoute));

    private async Task<IResult> HandleCoreAsync(HttpContext context, bool seedRoute)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;

        var (caller, refusal) = await gate.AuthenticateAsync(ApiKeyAuthenticator.BearerToken(request.Headers.Authorization.ToString()),
            "Send the site's write key as 'Authorization: Bearer evw_...'. Create one with `eventide sites create <site>`.", context.RequestAborted);
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
            // A write key belongs to exactly one site, so a seed event without site_id is that site's.
            batch = parser.Parse(body!.Span, FormatOf(request), receivedAt, allowEpochMillis: seedRoute,
                seed: seedRoute ? new SeedShapes(caller!.Site) : null);
        }
        var (accepted, errors, denied) = gate.Admit(caller!, batch);
        if (denied is not null)
        {
            return denied;
        }
        var site = caller!.Site!;
        if (gate.TryRateLimit(site, accepted.Count) is { } limited)
        {
            return limited;
        }
        if (await gate.CommitAsync(site, accepted, started) is { } unavailable)
        {
            return unavailable;
        }
        return new IntakeAcceptedResult(accepted, errors, IntakeErrors.CountRejectedEvents(errors));
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

    private static IResult Problem(int status, string title, string detail, List<EventError>? errors = null) =>
        IntakeProblems.Problem(status, title, detail, errors);
}
