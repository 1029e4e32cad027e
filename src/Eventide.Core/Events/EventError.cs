namespace Eventide.Core.Events;

/// <summary>
/// One rejection reported to the client: the event's position in the request
/// (0-based; for NDJSON the position among non-blank lines), the field at
/// fault (null when the whole event is), and a message a person can act on.
/// </summary>
public sealed record EventError(int Index, string? Field, string Message, RejectReason Reason);
