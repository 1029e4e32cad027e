using k8s.LeaderElection;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// Leader election on a lock (a coordination.k8s.io Lease through the
/// client's <see cref="k8s.LeaderElection.ResourceLock.LeaseLock"/>), after
/// client-go: the holder renews every retry period, and keeps leading while
/// renewals fail (an API server answering 500, a timeout) until the renew
/// deadline has passed since its last good renewal; it stops at once when the
/// lock shows another holder. Others take over only when they have seen the
/// same record unchanged for a whole lease duration, measured on their own
/// clock, so skew between nodes does not matter. Writes carry the
/// resourceVersion read, so two candidates cannot both win. On shutdown the
/// leader releases the lock, so a standby takes over at once instead of after
/// a lease duration (the client's own elector does not).
/// </summary>
public sealed class LeaderElector(ILock @lock, OperatorOptions options, TimeProvider clock, ILogger logger)
{
    private LeaderElectionRecord? _observed;
    private DateTimeOffset _observedAt;

    public bool IsLeader { get; private set; }

    /// <summary>When the API server last answered a lease round; readiness reads it.</summary>
    public DateTimeOffset? LastContact { get; private set; }

    /// <summary>Campaigns until cancelled; while leading runs <paramref name="lead"/>, cancelling it when leadership is lost.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken ct)
    {
        try
        {
            await CampaignAsync(lead, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task CampaignAsync(Func<CancellationToken, Task> lead, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await TryAcquireOrRenewAsync(ct) != LeaseRound.Held)
            {
                await Delay(options.RetryPeriod, ct);
                continue;
            }
            Log.BecameLeader(logger, @lock.Describe(), @lock.Identity);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
            var lastRenew = clock.GetUtcNow();
            while (!ct.IsCancellationRequested && !work.IsCompleted)
            {
                await Delay(options.RetryPeriod, ct);
                if (ct.IsCancellationRequested)
                {
                    break;
                }
                LeaseRound round;
                try
                {
                    round = await TryAcquireOrRenewAsync(ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Shutdown cancelled a renewal in flight: still hand the Lease over below.
                    break;
                }
                if (round == LeaseRound.Held)
                {
                    lastRenew = clock.GetUtcNow();
                }
                else if (round == LeaseRound.HeldByOther || clock.GetUtcNow() - lastRenew >= options.RenewDeadline)
                {
                    // Another holder, or no renewal for the whole deadline: by now a
                    // standby may take over, so this replica must stop acting.
                    break;
                }
            }
            IsLeader = false;
            await leading.CancelAsync();
            try
            {
                await work;
            }
            catch (OperationCanceledException)
            {
                // The leading work ends by cancellation.
            }
            catch (Exception e)
            {
                // A fault in the leading work (a watch or worker meeting an exception nobody
                // expected, or one surfacing while it was cancelled) must not end the campaign
                // for good: the replica would stay up, ready and leaderless. Lead again afresh.
                Log.LeadingFailed(logger, e, @lock.Describe());
                await Delay(options.RetryPeriod, ct);
            }
            if (ct.IsCancellationRequested)
            {
                await ReleaseAsync();
                return;
            }
            Log.LostLeadership(logger, @lock.Describe(), @lock.Identity);
        }
    }

    /// <summary>One round: read the record, then take or renew it if this candidate may.</summary>
    public async Task<LeaseRound> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        try
        {
            LeaderElectionRecord? current;
            try
            {
                current = await @lock.GetAsync(ct);
            }
            catch (Exception e) when (Kubernetes.ApiErrors.IsNotFound(e))
            {
                current = null;
            }
            LastContact = clock.GetUtcNow();
            var mine = NewRecord(now, current);
            if (current is null)
            {
                return Result(await @lock.CreateAsync(mine, ct), now, mine);
            }
            if (!Same(current, _observed))
            {
                _observed = current;
                _observedAt = now;
            }
            var duration = TimeSpan.FromSeconds(current.LeaseDurationSeconds > 0 ? current.LeaseDurationSeconds : options.LeaseDuration.TotalSeconds);
            if (current.HolderIdentity is { Length: > 0 } holder && holder != @lock.Identity && now < _observedAt + duration)
            {
                Log.LeaseHeld(logger, @lock.Describe(), holder);
                IsLeader = false;
                return LeaseRound.HeldByOther;
            }
            return Result(await @lock.UpdateAsync(mine, ct), now, mine);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && (Kubernetes.ApiErrors.IsApiFailure(e) || e is TaskCanceledException))
        {
            Log.LeaseFailed(logger, e, @lock.Describe());
            return LeaseRound.Failed;
        }
    }

    // A failed write (a conflict, a 500) leaves IsLeader as it was: whether that
    // ends leadership is the renew deadline's call, not one request's.
    private LeaseRound Result(bool written, DateTimeOffset now, LeaderElectionRecord record)
    {
        if (!written)
        {
            Log.LeaseWriteFailed(logger, @lock.Describe());
            return LeaseRound.Failed;
        }
        _observed = record;
        _observedAt = now;
        IsLeader = true;
        return LeaseRound.Held;
    }

    private LeaderElectionRecord NewRecord(DateTimeOffset now, LeaderElectionRecord? current)
    {
        var renewing = current?.HolderIdentity == @lock.Identity;
        return new LeaderElectionRecord
        {
            HolderIdentity = @lock.Identity,
            LeaseDurationSeconds = (int)options.LeaseDuration.TotalSeconds,
            AcquireTime = renewing ? current!.AcquireTime : now.UtcDateTime,
            RenewTime = now.UtcDateTime,
            LeaderTransitions = current is null ? 0 : renewing ? current.LeaderTransitions : current.LeaderTransitions + 1,
        };
    }

    private static bool Same(LeaderElectionRecord a, LeaderElectionRecord? b) =>
        b is not null && a.HolderIdentity == b.HolderIdentity && a.RenewTime == b.RenewTime
        && a.AcquireTime == b.AcquireTime && a.LeaderTransitions == b.LeaderTransitions;

    /// <summary>Gives the lock up on shutdown so a standby takes over at once rather than after the lease duration.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var current = await @lock.GetAsync(timeout.Token);
            if (current?.HolderIdentity == @lock.Identity)
            {
                var released = new LeaderElectionRecord
                {
                    HolderIdentity = "",
                    LeaseDurationSeconds = 1,
                    AcquireTime = current.AcquireTime,
                    RenewTime = clock.GetUtcNow().UtcDateTime,
                    LeaderTransitions = current.LeaderTransitions,
                };
                if (await @lock.UpdateAsync(released, timeout.Token))
                {
                    Log.LeaseReleased(logger, @lock.Describe(), @lock.Identity);
                }
            }
        }
        catch (Exception e) when (Kubernetes.ApiErrors.IsApiFailure(e) || e is OperationCanceledException)
        {
            Log.LeaseFailed(logger, e, @lock.Describe());
        }
    }

    private Task Delay(TimeSpan delay, CancellationToken ct) =>
        Task.Delay(delay, clock, ct).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
