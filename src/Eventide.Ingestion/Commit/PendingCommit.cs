using Eventide.Core;

namespace Eventide.Ingestion.Commit;

/// <summary>
/// One request's events waiting for the committer. Its state decides, exactly
/// once, who owns the outcome. Queued → Taken (a group holds the events)
/// → Committing (the group's insert and commit are about to be sent); or
/// Queued/Taken → Abandoned (the request gave up at its deadline). The committer
/// sends a group only after moving every pending of it to Committing, so an
/// abandoned request's events are never committed: a 503 for a timeout always
/// means "not stored".
/// </summary>
internal sealed class PendingCommit(IReadOnlyList<EventRecord> events, long deadline)
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Committing = 2;
    private const int Abandoned = 3;

    private int _state;

    public IReadOnlyList<EventRecord> Events { get; } = events;

    /// <summary>Stopwatch timestamp after which the request answers 503.</summary>
    public long Deadline { get; } = deadline;

    public TaskCompletionSource<CommitOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The committer claims the events for a transaction; false when the request gave up first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    /// <summary>The committer is about to send the insert and its commit; false when the request gave up first.</summary>
    public bool TryBeginCommit() => Interlocked.CompareExchange(ref _state, Committing, Taken) == Taken;

    /// <summary>Gives up unless the commit is already on its way; after true, the events will never be committed.</summary>
    public bool TryAbandon() =>
        Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued
        || Interlocked.CompareExchange(ref _state, Abandoned, Taken) == Taken;
}
