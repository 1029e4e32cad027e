using System.Diagnostics;

namespace Eventide.Bench;

/// <summary>
/// An open-loop send schedule whose rate may change while the load runs: each request takes the
/// next slot, a batch's worth of events after the one before at the rate of the moment. A
/// schedule more than <see cref="MaxLagSeconds"/> behind the clock moves up to it, so a slower
/// stretch is not made up later in a burst.
/// </summary>
public sealed class RatePacer(double eventsPerSecond)
{
    public const double MaxLagSeconds = 0.1;

    private readonly Lock _gate = new();
    private double _rate = Math.Max(1, eventsPerSecond);
    private double _next;

    public double Rate
    {
        get
        {
            lock (_gate)
            {
                return _rate;
            }
        }
        set
        {
            lock (_gate)
            {
                _rate = Math.Max(1, value);
            }
        }
    }

    /// <summary>The intended send time, in stopwatch ticks, of the next request of <paramref name="batchSize"/> events.</summary>
    public long Next(int batchSize, long nowTicks)
    {
        lock (_gate)
        {
            _next = Math.Max(_next, nowTicks - (MaxLagSeconds * Stopwatch.Frequency));
            var slot = _next;
            _next += Stopwatch.Frequency * (double)batchSize / _rate;
            return (long)slot;
        }
    }
}
