namespace Eventide.Reliability.Tests.Harness;

/// <summary>One answered (or failed) request as the client saw it.</summary>
/// <param name="StartedAt">When it was sent, on the load's clock.</param>
/// <param name="Elapsed">Until the answer, the client timeout or the connection error.</param>
/// <param name="Status">The HTTP status, or 0 when no answer came (timeout, refused, reset).</param>
/// <param name="HasRetryAfter">Whether the answer carried a Retry-After header.</param>
public readonly record struct Outcome(TimeSpan StartedAt, TimeSpan Elapsed, int Status, bool HasRetryAfter);
