namespace Eventide.Storage.Processing;

/// <summary>A dead letter written by the consume transaction; <see cref="SiteId"/> is null when the whole inbox row was undecodable.</summary>
public sealed record DeadLetterEntry(string? SiteId, string? EventId, string Payload, string Error, int EventCount);
