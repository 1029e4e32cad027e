namespace Eventide.Operator.Reconciliation;

/// <summary>The outcome of one reconcile: when to look again, if at all.</summary>
public sealed record ReconcileResult(TimeSpan? RequeueAfter)
{
    public static readonly ReconcileResult Done = new((TimeSpan?)null);
}
