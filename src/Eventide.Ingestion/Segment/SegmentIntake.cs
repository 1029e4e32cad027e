using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Eventide.Core;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion.Segment;

/// <summary>
/// One Segment Tracking API request (docs/segment.md): read the body (gzip detected by its
/// bytes too), find the write key (HTTP Basic username or writeKey in the body), map the
/// messages, then the same rate limit and group commit as /v1/events. Segment SDKs drop a
/// whole batch on any 4xx, so invalid messages do not fail the request: they are committed
/// to eventide.dead_letters and listed in the 200. A 4xx means the request itself is unusable.
/// </summary>
public sealed class SegmentIntake(IntakeGate gate, SegmentDeadLetterWriter deadLetters, EventideOptions options, ILogger<SegmentIntake> logger,
    TimeProvider? time = null)
{
    private const string KeyHelp =
        "Send the site's write key (evw_..., from `eventide sites create <site>`) as the HTTP Basic username with an empty password, " +
        "as Segment SDKs do with writeKey, or as \"writeKey\" in the JSON body.";

    private readonly SegmentMapper _mapper = new(options.Ingestion, options.Retention);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Maps one message so the first real request does not pay the mapper's first-call costs against its commit deadline.</summary>
    public void WarmUp()
    {
        using var document = JsonDocument.Parse("""{"batch":[{"type":"track","event":"warm-up","userId":"warm-up"}]}""");
        _mapper.Map(document.RootElement, null, "warm-up", _time.GetUtcNow());
    }

    /// <param name="context">The request.</param>
    /// <param name="type">The message type of a single-message endpoint, or null for /v1/batch.</param>
    public async Task<IResult> HandleAsync(HttpContext context, SegmentMessageType? type) =>
        gate.Answered(await HandleCoreAsync(context, type));

    private async Task<IResult> HandleCoreAsync(HttpContext context, SegmentMessageType? type)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase);
        var receivedAt = _time.GetUtcNow();
        // Whatever Content-Type says: the RudderStack Node SDK posts gzip labelled as a form.
        var (read, body) = await RequestBodyReader.ReadAsync(request, gzip, SegmentMapper.MaxRequestBytes, context.RequestAborted, sniffGzip: true);
        Caller caller;
        SegmentMapping mapping;
        using (body)
        {
            switch (read)
            {
                case RequestBodyReader.Status.TooLarge:
                    return Invalid($"The request is over 500 KB ({SegmentMapper.MaxRequestBytes} bytes, after gzip decompression), Segment's limit; send smaller batches.");
                case RequestBodyReader.Status.BadGzip:
                    return Invalid("The body is not valid gzip data although Content-Encoding says gzip.");
                default:
                    break;
            }
            var json = body!.Memory;
            if (json.Span.StartsWith("\uFEFF"u8))
            {
                json = json[3..];
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException ex)
            {
                return Invalid($"The body is not JSON ({ex.Message}); send a Segment message{(type is null ? " batch {\"batch\": [...]}" : "")} as JSON, optionally gzip-compressed.");
            }
            using (document)
            {
                var root = document.RootElement;
                if (ShapeProblem(root, type) is { } problem)
                {
                    return Invalid(problem);
                }
                var key = KeyOf(request.Headers.Authorization.ToString())
                    ?? (root.TryGetProperty("writeKey"u8, out var writeKey) && writeKey.ValueKind == JsonValueKind.String ? writeKey.GetString() : null);
                var (found, refusal) = await gate.AuthenticateAsync(string.IsNullOrEmpty(key) ? null : key, KeyHelp, context.RequestAborted);
                if (refusal is not null)
                {
                    return refusal;
                }
                caller = found!;
                mapping = _mapper.Map(root, type, caller.Site!, receivedAt);
            }
        }

        var site = caller.Site!;
        var accepted = mapping.Accepted;
        if (accepted.Count > 0 && gate.TryRateLimit(site, accepted.Count) is { } limited)
        {
            return limited;
        }
        if (mapping.Rejected.Count > 0)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                timeout.CancelAfter(gate.RemainingBudget(started));
                if (await deadLetters.WriteAsync(site, mapping.Rejected, timeout.Token) > 0)
                {
                    Log.SegmentMessagesDeadLettered(logger, mapping.Rejected.Count, site, mapping.Rejected[0].Reason);
                }
            }
            catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
            {
                Log.SegmentDeadLettersFailed(logger, ex);
                gate.RefundRateLimit(site, accepted.Count);
                return IntakeProblems.Unavailable(
                    "The request's invalid messages could not be recorded as dead letters because the database is unreachable or slow. " +
                    "Nothing was stored; retry the same batch after the indicated delay.");
            }
        }
        if (accepted.Count > 0 && await gate.CommitAsync(site, accepted, started) is { } unavailable)
        {
            return unavailable;
        }
        foreach (var r in mapping.Rejected)
        {
            gate.CountEvents("rejected", IntakeGate.ReasonTag(r.Kind), 1);
        }
        return new SegmentAcceptedResult(mapping.Rejected);
    }

    /// <summary>Why the JSON cannot be a request of this endpoint at all, or null.</summary>
    private static string? ShapeProblem(JsonElement root, SegmentMessageType? type)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return type is null
                ? "The body must be a JSON object {\"batch\": [messages...], \"sentAt\": ...}."
                : "The body must be one message as a JSON object.";
        }
        if (type is not null)
        {
            return null;
        }
        if (!root.TryGetProperty("batch"u8, out var batch) || batch.ValueKind != JsonValueKind.Array)
        {
            return "The body has no \"batch\" array; /v1/batch takes {\"batch\": [messages...], \"sentAt\": ...}.";
        }
        return batch.GetArrayLength() == 0 ? "The batch holds no messages." : null;
    }

    /// <summary>
    /// The key of an Authorization header: the username of Basic credentials (Segment SDKs send
    /// the write key with an empty password) or a Bearer token; null when there is none.
    /// </summary>
    internal static string? KeyOf(string? authorization)
    {
        const string basic = "Basic ";
        if (authorization is null || !authorization.StartsWith(basic, StringComparison.OrdinalIgnoreCase))
        {
            return ApiKeyAuthenticator.BearerToken(authorization);
        }
        var encoded = authorization.AsSpan(basic.Length).Trim();
        Span<byte> decoded = stackalloc byte[Math.Min(encoded.Length, 1024)];
        if (encoded.Length > 1024 || !Convert.TryFromBase64Chars(encoded, decoded, out var length))
        {
            return null;
        }
        var credentials = decoded[..length];
        var colon = credentials.IndexOf((byte)':');
        var user = colon < 0 ? credentials : credentials[..colon];
        return user.Length is > 0 and <= 512 ? Encoding.UTF8.GetString(user) : null;
    }

    private static IResult Invalid(string detail) => IntakeProblems.Problem(StatusCodes.Status400BadRequest, "Unusable Segment request", detail);
}
