using Microsoft.AspNetCore.Http;

namespace Eventide.Ingestion;

public sealed partial class IntakeGate
{
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
}
