using Eventide.Operator.Reconciliation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using LeaderElectionRecord = k8s.LeaderElection.LeaderElectionRecord;

namespace Eventide.Operator.Tests.Reconciliation;

/// <summary>The elector against an in-memory lock on fake time: every assertion is about the times it acts at.</summary>
public sealed class LeaderElectorTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CancellationTokenSource _stop = new();
    private readonly OperatorOptions _options = new()
    {
        Identity = "me",
        LeaseDuration = TimeSpan.FromSeconds(15),
        RenewDeadline = TimeSpan.FromSeconds(10),
        RetryPeriod = TimeSpan.FromSeconds(2),
    };

    private readonly FakeLock _lock = new("me");
    private CancellationToken _leading;
    private int _terms;

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private (LeaderElector Elector, Task Run) Start()
    {
        var elector = new LeaderElector(_lock, _options, _clock, NullLogger.Instance);
        var run = elector.RunAsync(async ct =>
        {
            _leading = ct;
            Interlocked.Increment(ref _terms);
            await Task.Delay(Timeout.Infinite, ct);
        }, _stop.Token);
        return (elector, run);
    }

    /// <summary>Moves fake time on in small steps until the condition holds; returns how much time that took.</summary>
    private async Task<TimeSpan> AdvanceUntil(Func<bool> condition, TimeSpan limit)
    {
        var advanced = TimeSpan.Zero;
        var realDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(advanced <= limit && DateTime.UtcNow < realDeadline, $"condition not met within {limit} of fake time");
            _clock.Advance(Step);
            advanced += Step;
            // Let the elector's continuations run on the thread pool before the next step.
            await Task.Delay(2);
        }
        return advanced;
    }

    [Fact]
    public async Task Elector_creates_a_missing_lease_and_leads()
    {
        var (elector, _) = Start();
        await AdvanceUntil(() => elector.IsLeader && _terms == 1, TimeSpan.FromSeconds(1));
        Assert.Equal("me", _lock.Record!.HolderIdentity);
        Assert.Equal(15, _lock.Record.LeaseDurationSeconds);
    }

    [Fact]
    public async Task Renewal_failures_keep_leadership_until_the_renew_deadline()
    {
        var (elector, _) = Start();
        await AdvanceUntil(() => elector.IsLeader, TimeSpan.FromSeconds(1));
        _lock.FailWrites = true;
        var failedFrom = _clock.GetUtcNow();
        // A single 500 (and the next few) must not end leadership.
        await AdvanceUntil(() => _lock.FailedWrites >= 3, TimeSpan.FromSeconds(7));
        Assert.True(elector.IsLeader);
        Assert.False(_leading.IsCancellationRequested);

        await AdvanceUntil(() => _leading.IsCancellationRequested, TimeSpan.FromSeconds(15));
        var held = _clock.GetUtcNow() - failedFrom;
        Assert.False(elector.IsLeader);
        // It stops at the first failed round at or after the deadline, and before the lease could expire for others.
        Assert.InRange(held, _options.RenewDeadline, _options.RenewDeadline + _options.RetryPeriod + Step);
        Assert.True(held < _options.LeaseDuration);
    }

    [Fact]
    public async Task Renewal_that_recovers_before_the_deadline_keeps_the_same_term()
    {
        var (elector, _) = Start();
        await AdvanceUntil(() => elector.IsLeader, TimeSpan.FromSeconds(1));
        _lock.FailWrites = true;
        await AdvanceUntil(() => _lock.FailedWrites >= 2, TimeSpan.FromSeconds(5));
        _lock.FailWrites = false;
        var writes = _lock.Writes;
        await AdvanceUntil(() => _lock.Writes > writes + 5, TimeSpan.FromSeconds(15));
        Assert.True(elector.IsLeader);
        Assert.Equal(1, _terms);
        Assert.False(_leading.IsCancellationRequested);
    }

    [Fact]
    public async Task Another_holder_in_the_lock_ends_leadership_at_the_next_round()
    {
        var (elector, _) = Start();
        await AdvanceUntil(() => elector.IsLeader, TimeSpan.FromSeconds(1));
        _lock.Record = new LeaderElectionRecord { HolderIdentity = "other", LeaseDurationSeconds = 15, RenewTime = _clock.GetUtcNow().UtcDateTime, LeaderTransitions = 1 };
        var took = await AdvanceUntil(() => _leading.IsCancellationRequested, TimeSpan.FromSeconds(3));
        Assert.True(took <= _options.RetryPeriod + Step);
        Assert.False(elector.IsLeader);
    }

    [Fact]
    public async Task Standby_takes_over_only_after_the_record_stayed_unchanged_for_a_lease_duration()
    {
        _lock.Record = new LeaderElectionRecord { HolderIdentity = "other", LeaseDurationSeconds = 15, RenewTime = _clock.GetUtcNow().UtcDateTime };
        var (elector, _) = Start();
        var took = await AdvanceUntil(() => elector.IsLeader, TimeSpan.FromSeconds(20));
        Assert.InRange(took, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15) + _options.RetryPeriod + Step);
        Assert.Equal(("me", 1), (_lock.Record!.HolderIdentity, _lock.Record.LeaderTransitions));
    }

    [Fact]
    public async Task A_fault_in_the_leading_work_does_not_end_the_campaign()
    {
        var elector = new LeaderElector(_lock, _options, _clock, NullLogger.Instance);
        _ = elector.RunAsync(async ct =>
        {
            _leading = ct;
            if (Interlocked.Increment(ref _terms) == 1)
            {
                throw new InvalidOperationException("a bug in the first term");
            }
            await Task.Delay(Timeout.Infinite, ct);
        }, _stop.Token);
        await AdvanceUntil(() => _terms == 2, TimeSpan.FromSeconds(10));
        Assert.True(elector.IsLeader);
        Assert.False(_leading.IsCancellationRequested);
    }

    [Fact]
    public async Task Shutdown_releases_the_lease_so_a_standby_need_not_wait()
    {
        var (elector, run) = Start();
        await AdvanceUntil(() => elector.IsLeader, TimeSpan.FromSeconds(1));
        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("", 1), (_lock.Record!.HolderIdentity, _lock.Record.LeaseDurationSeconds));
        Assert.True(_leading.IsCancellationRequested);
    }

    [Fact]
    public async Task Shutdown_during_a_renewal_in_flight_still_releases_the_lease()
    {
        var (elector, run) = Start();
        await AdvanceUntil(() => elector.IsLeader, TimeSpan.FromSeconds(1));
        _lock.StallNextRead = true;
        await AdvanceUntil(() => _lock.StalledReads == 1, TimeSpan.FromSeconds(5));
        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("", 1), (_lock.Record!.HolderIdentity, _lock.Record.LeaseDurationSeconds));
    }
}
