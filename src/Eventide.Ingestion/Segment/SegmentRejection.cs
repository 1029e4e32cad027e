using Eventide.Core.Events;

namespace Eventide.Ingestion.Segment;

/// <summary>
/// A message of a Segment request that cannot become an event: its position in the
/// request, its messageId (null when it has none), why, and what to dead-letter.
/// </summary>
/// <param name="Index">0-based position in the batch (0 for a single-message endpoint).</param>
/// <param name="MessageId">The message's messageId as sent, or null.</param>
/// <param name="Reason">What is wrong, naming the Segment field, for a person to fix.</param>
/// <param name="Kind">The metric reason.</param>
/// <param name="DeadLetterId">The dead letter's event_id: the messageId, or a digest of the message when it has none, so a retried batch finds it again.</param>
/// <param name="Payload">The message's JSON text (a JSON string of it when jsonb could not hold it as sent).</param>
public sealed record SegmentRejection(int Index, string? MessageId, string Reason, RejectReason Kind, string DeadLetterId, string Payload);
