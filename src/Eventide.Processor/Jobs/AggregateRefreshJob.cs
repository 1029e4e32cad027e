using Eventide.Storage;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor.Jobs;

/// <summary>
/// Plain mode only: keeps the materialized aggregates current by refreshing the (site, hour)s
/// that storing transactions marked dirty (Timescale's continuous aggregates refresh
/// themselves). Every processor runs one; the refresher's advisory lock lets one work at a
/// time. Rounds follow each other without a pause while a full round leaves more to do.
/// </summary>
public sealed class AggregateRefreshJob(
    AggregateRefresher refresher, PartitionMaintenance partitions, ProcessorSettings settings, ILogger<AggregateRefreshJob> logger, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        StorageMode? mode = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                mode ??= (await partitions.ReadModeAndShardsAsync(stoppingToken))?.Mode;
                if (mode == StorageMode.Timescale)
                {
                    return;
                }
                if (mode == StorageMode.Plain
                    && await refresher.RefreshOnceAsync(settings.AggregateRefresh, settings.AggregateMaxDirty, settings.AggregateRefreshHours, stoppingToken)
                        == settings.AggregateRefreshHours)
                {
                    continue;
                }
                await Task.Delay(settings.AggregateRefresh, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                Log.BackgroundFailed(logger, ex, "aggregate refresh");
                await Task.Delay(settings.AggregateRefresh, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
