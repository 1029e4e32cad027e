namespace Eventide.Processor;

/// <summary>
/// The grouped-within batcher as a pure function, <c>state + input → state + flush?</c>
/// (the Akka.Streams <c>groupedWithin</c> behaviour the processor stands in for).
/// With the inbox as the buffer, a flush claims up to the batch size of the
/// shard's waiting events in one transaction.
/// </summary>
public static class BatchDecision
{
    public static (BatchWindow State, bool Flush) Next(BatchWindow state, BatchInput input, BatchPolicy policy)
    {
        switch (input.Kind)
        {
            case BatchInputKind.Arrived:
                {
                    // A NOTIFY says "at least one more row"; the poll gives the real count.
                    var pending = input.Events is { } known ? Math.Max(known, 1) : state.PendingEvents + 1;
                    var next = new BatchWindow(pending, state.OldestAt ?? input.Now);
                    return (next, IsDue(next, input.Now, policy));
                }
            case BatchInputKind.Tick:
                return (state, !state.IsEmpty && IsDue(state, input.Now, policy));
            case BatchInputKind.Flushed:
                // A claim cut at the batch size leaves a backlog that has waited
                // at least as long as what was just flushed: go again at once.
                // Otherwise the shard's inbox was drained.
                return input.HasMore
                    ? (new BatchWindow(Math.Max(state.PendingEvents - (input.Events ?? 0), 1), state.OldestAt ?? input.Now), true)
                    : (BatchWindow.Empty, false);
            case BatchInputKind.Stop:
                return (BatchWindow.Empty, !state.IsEmpty);
            default:
                throw new ArgumentOutOfRangeException(nameof(input), input.Kind, "unknown batch input");
        }
    }

    /// <summary>How long until the window is due by time; null when nothing is pending.</summary>
    public static TimeSpan? DueIn(BatchWindow state, TimeSpan now, BatchPolicy policy) =>
        state.OldestAt is { } oldest ? TimeSpan.FromTicks(Math.Max(0, (oldest + policy.FlushInterval - now).Ticks)) : null;

    private static bool IsDue(BatchWindow state, TimeSpan now, BatchPolicy policy) =>
        state.PendingEvents >= policy.BatchSize || (state.OldestAt is { } oldest && now - oldest >= policy.FlushInterval);
}
