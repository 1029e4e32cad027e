using System.Globalization;
using System.Text.Json.Nodes;
using Eventide.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, after client-go's: the
/// holder renews every retry period; others take over only when they have
/// seen the same record unchanged for a whole lease duration, measured on
/// their own clock (so clock skew between nodes does not matter). Every write
/// is a PUT with the resourceVersion read, so two candidates cannot both win.
/// </summary>
public sealed class LeaderElector(IKubernetesApi api, OperatorOptions options, TimeProvider clock, ILogger logger)
{
    private string? _observedRecord;
    private DateTimeOffset _observedAt;

    public bool IsLeader { get; private set; }

    /// <summary>When the API server last answered a lease round (a conflict counts: it answered); readiness reads it.</summary>
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
            if (!await TryAcquireOrRenewAsync(ct))
            {
                await Delay(options.RetryPeriod, ct);
                continue;
            }
            Log.BecameLeader(logger, options.LeaseName, options.Identity);
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
                if (await TryAcquireOrRenewAsync(ct))
                {
                    lastRenew = clock.GetUtcNow();
                }
                else if (!IsLeader || clock.GetUtcNow() - lastRenew > options.RenewDeadline)
                {
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
            if (ct.IsCancellationRequested)
            {
                await ReleaseAsync();
                return;
            }
            Log.LostLeadership(logger, options.LeaseName, options.Identity);
        }
    }

    /// <summary>One attempt: true when this candidate holds the lease afterwards.</summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        try
        {
            var lease = await api.GetAsync(ResourceType.Lease, options.LeaseNamespace, options.LeaseName, ct);
            LastContact = clock.GetUtcNow();
            if (lease is null)
            {
                await api.CreateAsync(ResourceType.Lease, options.LeaseNamespace, NewLease(now), ct);
                return IsLeader = true;
            }
            var spec = lease["spec"]?.AsObject() ?? [];
            var holder = (string?)spec["holderIdentity"] ?? "";
            var record = spec.ToJsonString();
            if (record != _observedRecord)
            {
                _observedRecord = record;
                _observedAt = now;
            }
            var duration = TimeSpan.FromSeconds(Json.Long(spec["leaseDurationSeconds"]) ?? (long)options.LeaseDuration.TotalSeconds);
            if (holder != options.Identity && holder.Length > 0 && now < _observedAt + duration)
            {
                Log.LeaseHeld(logger, options.LeaseName, holder);
                return IsLeader = false;
            }
            var transitions = Json.Long(spec["leaseTransitions"]) ?? 0;
            spec["holderIdentity"] = options.Identity;
            spec["leaseDurationSeconds"] = (int)options.LeaseDuration.TotalSeconds;
            spec["renewTime"] = MicroTime(now);
            if (holder != options.Identity)
            {
                spec["acquireTime"] = MicroTime(now);
                spec["leaseTransitions"] = transitions + 1;
            }
            lease["spec"] = spec;
            var updated = await api.ReplaceAsync(ResourceType.Lease, options.LeaseNamespace, options.LeaseName, lease, ct);
            _observedRecord = updated["spec"]?.ToJsonString();
            _observedAt = now;
            return IsLeader = true;
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            // Another candidate wrote first; read again next round.
            return IsLeader = false;
        }
        catch (Exception e) when ((e is KubeApiException or HttpRequestException or IOException or TaskCanceledException) && !ct.IsCancellationRequested)
        {
            Log.LeaseFailed(logger, e, options.LeaseName);
            return IsLeader = false;
        }
    }

    /// <summary>Gives the lease up on shutdown so a standby takes over at once rather than after the lease duration.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var lease = await api.GetAsync(ResourceType.Lease, options.LeaseNamespace, options.LeaseName, timeout.Token);
            if (lease?["spec"] is JsonObject spec && (string?)spec["holderIdentity"] == options.Identity)
            {
                spec["holderIdentity"] = "";
                spec["leaseDurationSeconds"] = 1;
                spec["renewTime"] = MicroTime(clock.GetUtcNow());
                await api.ReplaceAsync(ResourceType.Lease, options.LeaseNamespace, options.LeaseName, lease, timeout.Token);
            }
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            Log.LeaseFailed(logger, e, options.LeaseName);
        }
    }

    private JsonObject NewLease(DateTimeOffset now) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = options.LeaseName, ["namespace"] = options.LeaseNamespace },
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = options.Identity,
            ["leaseDurationSeconds"] = (int)options.LeaseDuration.TotalSeconds,
            ["acquireTime"] = MicroTime(now),
            ["renewTime"] = MicroTime(now),
            ["leaseTransitions"] = 0,
        },
    };

    private static string MicroTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private Task Delay(TimeSpan delay, CancellationToken ct) =>
        Task.Delay(delay, clock, ct).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
