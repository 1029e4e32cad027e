using Eventide.Storage.Processing;
using Microsoft.Extensions.Logging;

namespace Eventide.Processor.Jobs;

/// <summary>
/// Plain mode only: keeps the materialized aggregates current by refreshing the (site, hour)s
/// that storing transactions marked dirty (Timescale's continuous aggregates refresh
/// themselves). A round that refreshed its full count of hours leaves more to do, so the next
/// follows, but only after a rest that keeps the rounds to <see cref="ProcessorSettings.AggregateRefreshShare"/>
/// of the time: each recomputes whole hours from raw events, and a refresher that ran back to
/// back took 38 % of the database's time in the benchmark's 50 % load, which the storing
/// transactions and ingestion's commits then queued behind. The refresher's advisory lock lets
/// one processor refresh at a time.
/// </summary>
public sealed class AggregateRefreshJob(
    AggregateRefresher refresher, PartitionMaintenance partitions, ProcessorSettings settings, ILogger<AggregateRefreshJob> logger, TimeProvider time)
    : PlainModeRoundJob(partitions, logger, time)
{
    protected override string Work => "aggregate refresh";

    protected override TimeSpan Pause => settings.AggregateRefresh;

    protected override double MaxShare => settings.AggregateRefreshShare;

    protected override async Task<bool> RunRoundAsync(CancellationToken cancellationToken) =>
        await refresher.RefreshOnceAsync(settings.AggregateRefresh, settings.AggregateMaxDirty, settings.AggregateRefreshHours, cancellationToken)
            == settings.AggregateRefreshHours;
}
