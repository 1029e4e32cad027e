namespace Eventide.Bench;

/// <summary>
/// One reading of how busy the pipeline's back end is: events waiting in the inbox, dirty
/// aggregate hours the refresher has yet to recompute, and other clients' statements running
/// for over 200 ms. All three 0 is the drained steady state a latency phase starts from.
/// </summary>
public sealed record SteadyReading(long InboxEvents, long DirtyHours, long BusyStatements)
{
    public bool Steady => InboxEvents == 0 && DirtyHours == 0 && BusyStatements == 0;

    /// <summary>
    /// Whether a phase may start: the whole steady state, or with <paramref name="inboxOnly"/>
    /// (throughput points that read no aggregate) only the empty inbox.
    /// </summary>
    public bool Satisfies(bool inboxOnly) => inboxOnly ? InboxEvents == 0 : Steady;

    public override string ToString() =>
        $"inbox {InboxEvents:N0} events, {DirtyHours:N0} dirty aggregate hours, {BusyStatements:N0} statements running > 200 ms";
}
