using Eventide.Core;

namespace Eventide.Ingestion.Tests;

public class SiteRateLimiterTests
{
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private static SiteRateLimiter Limiter(ManualTime time, double rate, double burst) =>
        new(new IngestionOptions { RateLimitPerSecond = rate, RateLimitBurst = burst }, time);

    [Fact]
    public void TryAcquire_allows_the_burst_then_refuses_with_the_time_to_refill()
    {
        var time = new ManualTime();
        var limiter = Limiter(time, rate: 10, burst: 100);
        Assert.True(limiter.TryAcquire("a", 100, out _));
        Assert.False(limiter.TryAcquire("a", 30, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(3), wait);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(limiter.TryAcquire("a", 30, out _));
        Assert.False(limiter.TryAcquire("a", 1, out _));
    }

    [Fact]
    public void TryAcquire_keeps_sites_apart()
    {
        var limiter = Limiter(new ManualTime(), rate: 1, burst: 2);
        Assert.True(limiter.TryAcquire("a", 2, out _));
        Assert.False(limiter.TryAcquire("a", 1, out _));
        Assert.True(limiter.TryAcquire("b", 2, out _));
    }

    [Fact]
    public void TryAcquire_lets_a_request_larger_than_the_burst_pass_on_a_full_bucket_and_leaves_debt()
    {
        var time = new ManualTime();
        var limiter = Limiter(time, rate: 10, burst: 5);
        Assert.True(limiter.TryAcquire("a", 25, out _));
        Assert.False(limiter.TryAcquire("a", 1, out var wait));
        // 20 tokens of debt plus the one wanted, at 10 per second.
        Assert.Equal(TimeSpan.FromSeconds(2.1), wait);
    }

    [Fact]
    public void Refund_returns_tokens_up_to_the_burst()
    {
        var limiter = Limiter(new ManualTime(), rate: 1, burst: 10);
        Assert.True(limiter.TryAcquire("a", 10, out _));
        limiter.Refund("a", 50);
        Assert.True(limiter.TryAcquire("a", 10, out _));
        Assert.False(limiter.TryAcquire("a", 1, out _));
    }

    [Fact]
    public void Zero_rate_disables_limiting_and_keeps_no_buckets()
    {
        var limiter = Limiter(new ManualTime(), rate: 0, burst: 1);
        Assert.True(limiter.TryAcquire("a", 1_000_000, out _));
        Assert.Equal(0, limiter.BucketCount);
    }

    [Fact]
    public void Idle_buckets_are_evicted_so_memory_stays_bounded()
    {
        var time = new ManualTime();
        var limiter = Limiter(time, rate: 100, burst: 100);
        for (var i = 0; i <= SiteRateLimiter.SweepThreshold; i++)
        {
            limiter.TryAcquire("site-" + i, 1, out _);
        }
        Assert.Equal(SiteRateLimiter.SweepThreshold + 1, limiter.BucketCount);
        time.Advance(TimeSpan.FromSeconds(2));
        limiter.TryAcquire("busy", 50, out _);
        limiter.TryAcquire("fresh", 1, out _);
        // Everything refilled and was dropped; "busy" is still spending, "fresh" came after the sweep.
        Assert.InRange(limiter.BucketCount, 1, 2);
        Assert.False(limiter.TryAcquire("busy", 51, out _));
    }
}
