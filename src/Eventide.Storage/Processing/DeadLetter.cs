namespace Eventide.Storage.Processing;

/// <summary>One row of <c>eventide.dead_letters</c>; <see cref="Payload"/> is its JSON text.</summary>
public sealed record DeadLetter(
    long Id,
    string? SiteId,
    string? EventId,
    string Source,
    string Payload,
    string Error,
    DateTimeOffset FailedAt,
    DateTimeOffset? ReplayedAt);
