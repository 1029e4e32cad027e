using System.Collections.Concurrent;
using Eventide.Core;

namespace Eventide.Ingestion;

/// <summary>
/// Per-site token buckets counted in events (<see cref="IngestionOptions.RateLimitPerSecond"/>
/// sustained, <see cref="IngestionOptions.RateLimitBurst"/> at once). Memory stays bounded:
/// a bucket that has refilled completely is indistinguishable from a new one, so idle
/// buckets are dropped whenever many exist.
/// </summary>
public sealed class SiteRateLimiter(IngestionOptions options, TimeProvider time)
{
    /// <summary>Above this many buckets, full (idle) ones are swept, at most once a second.</summary>
    public const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly double _rate = options.RateLimitPerSecond;
    private readonly double _burst = Math.Max(options.RateLimitBurst, 1);
    private long _lastSweep;

    public int BucketCount => _buckets.Count;

    /// <summary>
    /// Takes <paramref name="events"/> tokens from the site's bucket, or none and says how long
    /// to wait. A request larger than the burst passes when the bucket is full and leaves it in
    /// debt, so it is never refused forever.
    /// </summary>
    public bool TryAcquire(string site, int events, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_rate <= 0)
        {
            return true;
        }
        var now = time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(site, static (_, state) => new Bucket(state.Burst, state.Now), (Burst: _burst, Now: now));
        bool granted;
        lock (bucket)
        {
            bucket.Refill(now, _rate, _burst, time.TimestampFrequency);
            var needed = Math.Min(events, _burst);
            granted = bucket.Tokens >= needed;
            if (granted)
            {
                bucket.Tokens -= events;
            }
            else
            {
                retryAfter = TimeSpan.FromSeconds((needed - bucket.Tokens) / _rate);
            }
        }
        if (_buckets.Count > SweepThreshold)
        {
            Sweep(now);
        }
        return granted;
    }

    /// <summary>Gives tokens back, for events that were refused later (503) and will be retried.</summary>
    public void Refund(string site, int events)
    {
        if (_rate > 0 && _buckets.TryGetValue(site, out var bucket))
        {
            lock (bucket)
            {
                bucket.Tokens = Math.Min(_burst, bucket.Tokens + events);
            }
        }
    }

    private void Sweep(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (now - last < time.TimestampFrequency || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }
        foreach (var (site, bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, _rate, _burst, time.TimestampFrequency);
                if (bucket.Tokens >= _burst)
                {
                    _buckets.TryRemove(new KeyValuePair<string, Bucket>(site, bucket));
                }
            }
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        private long Updated { get; set; } = updated;

        public void Refill(long now, double rate, double burst, long frequency)
        {
            if (now > Updated)
            {
                Tokens = Math.Min(burst, Tokens + ((now - Updated) * rate / frequency));
                Updated = now;
            }
        }
    }
}
