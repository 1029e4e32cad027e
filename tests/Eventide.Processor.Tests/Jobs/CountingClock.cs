using Microsoft.Extensions.Time.Testing;

namespace Eventide.Processor.Tests.Jobs;

/// <summary>Fake time that counts the timers scheduled on it: a delay makes one when it starts.</summary>
internal sealed class CountingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;

    public int Timers => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted once the timer is scheduled: counted before, the test could move the
        // clock first and the timer would then fall due a whole pause later.
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }
}
