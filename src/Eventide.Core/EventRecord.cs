namespace Eventide.Core;

/// <summary>
/// One validated event as it travels from ingestion through the inbox to the
/// events table. <see cref="Properties"/> holds the raw JSON text of the
/// properties object (already validated), or null.
/// </summary>
public sealed record EventRecord(
    string SiteId,
    string Name,
    DateTimeOffset Timestamp,
    string EventId,
    string? Path,
    string? Referrer,
    string? UserId,
    string? SessionId,
    string? Properties,
    DateTimeOffset ReceivedAt);
