namespace Eventide.Operator.Reconciliation;

/// <summary>The outcome of one leader-election round.</summary>
public enum LeaseRound
{
    /// <summary>This candidate holds the lock now.</summary>
    Held,

    /// <summary>Another candidate holds an unexpired lock.</summary>
    HeldByOther,

    /// <summary>The API server could not be read or written (an error, a conflict): try again next round.</summary>
    Failed,
}
