using Eventide.Core;

namespace Eventide.Ingestion.Commit;

/// <summary>
/// One request's events waiting for the committer. Its state decides, exactly
/// once, who owns the outcome: the committer takes it into a transaction, or the
/// request abandons it on timeout, after which no transaction may include it.
/// </summary>
internal sealed class PendingCommit(IReadOnlyList<EventRecord> events, long deadline)
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Abandoned = 2;

    private int _state;

    public IReadOnlyList<EventRecord> Events { get; } = events;

    /// <summary>Stopwatch timestamp after which the request answers 503.</summary>
    public long Deadline { get; } = deadline;

    public TaskCompletionSource<CommitOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The committer claims the events for a transaction; false when the request gave up first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    /// <summary>Gives up on a commit not yet taken; false when a transaction holds it already.</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;
}
