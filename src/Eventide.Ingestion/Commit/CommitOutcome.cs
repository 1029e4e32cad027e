namespace Eventide.Ingestion.Commit;

/// <summary>How a request's group commit ended, as its waiter sees it.</summary>
public enum CommitOutcome
{
    /// <summary>The transaction committed: the events are durable.</summary>
    Committed,

    /// <summary>The transaction failed before COMMIT or was rolled back: nothing was stored.</summary>
    Failed,

    /// <summary>The connection broke after COMMIT was sent, or the answer came too late: stored or not, we cannot tell.</summary>
    InDoubt,

    /// <summary>The request gave up before a transaction took its events; they will never be stored.</summary>
    TimedOut,

    /// <summary>Too many events are waiting for commits already; nothing was queued.</summary>
    BufferFull,

    /// <summary>The service is stopping and takes no new commits.</summary>
    ShuttingDown,
}
