using Eventide.Core;

namespace Eventide.Storage.Processing;

/// <summary>
/// What one consume transaction committed. <see cref="Stored"/> are the
/// events written (or already present with the same time); their ids are now
/// in <c>event_ids</c>. <see cref="HasMore"/> is true when the claim was cut
/// at the batch size, so more rows may be waiting.
/// </summary>
public sealed record ConsumeResult(
    int ClaimedRows,
    int ClaimedEvents,
    IReadOnlyList<EventRecord> Stored,
    IReadOnlyList<EventRecord> Duplicates,
    IReadOnlyList<DeadLetterEntry> DeadLettered,
    bool HasMore)
{
    public static readonly ConsumeResult Empty = new(0, 0, [], [], [], false);
}
