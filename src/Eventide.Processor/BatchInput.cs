namespace Eventide.Processor;

/// <summary>
/// One input to <see cref="BatchDecision.Next"/>. <see cref="Events"/>: for
/// Arrived the count waiting when known (the poll) or null (a NOTIFY); for
/// Flushed the events claimed. A struct so the worker's loop allocates nothing per input.
/// </summary>
public readonly record struct BatchInput(BatchInputKind Kind, TimeSpan Now, long? Events = null, bool HasMore = false)
{
    public static BatchInput Arrived(TimeSpan now, long? events) => new(BatchInputKind.Arrived, now, events);

    public static BatchInput Tick(TimeSpan now) => new(BatchInputKind.Tick, now);

    public static BatchInput Flushed(TimeSpan now, long claimed, bool hasMore) => new(BatchInputKind.Flushed, now, claimed, hasMore);

    public static BatchInput Stop(TimeSpan now) => new(BatchInputKind.Stop, now);
}
