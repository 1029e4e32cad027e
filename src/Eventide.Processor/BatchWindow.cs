namespace Eventide.Processor;

/// <summary>
/// What a shard worker knows about its unflushed events: at least
/// <see cref="PendingEvents"/> are waiting, the oldest seen since
/// <see cref="OldestAt"/> (monotonic time), or none when that is null.
/// </summary>
public readonly record struct BatchWindow(long PendingEvents, TimeSpan? OldestAt)
{
    public static readonly BatchWindow Empty = new(0, null);

    public bool IsEmpty => OldestAt is null;
}
