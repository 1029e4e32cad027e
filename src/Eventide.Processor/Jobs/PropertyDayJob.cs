using Eventide.Storage;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor.Jobs;

/// <summary>
/// Plain mode only: materializes the property days of closed days (migration 0160) so 30-day
/// property breakdowns read a few hundred rows per day. In Timescale mode the registry stays
/// empty and breakdowns read raw events (chunk retention there would not drop these rows).
/// Every processor runs one; the materializer's advisory lock lets one work at a time.
/// </summary>
public sealed class PropertyDayJob(
    PropertyDayMaterializer materializer, PartitionMaintenance partitions, ProcessorSettings settings, ILogger<PropertyDayJob> logger, TimeProvider time)
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
                    && await materializer.MaterializeOnceAsync(settings.PropertyDaysPerRound, stoppingToken) == settings.PropertyDaysPerRound)
                {
                    continue;
                }
                await Task.Delay(settings.PropertyDaysInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                Log.BackgroundFailed(logger, ex, "property days");
                await Task.Delay(settings.PropertyDaysInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
