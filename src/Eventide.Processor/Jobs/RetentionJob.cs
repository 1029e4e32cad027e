using Eventide.Storage;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor.Jobs;

/// <summary>
/// Drops what is past its horizon: event_ids partitions older than the dedupe
/// window (both modes) and, in plain mode, events partitions older than
/// the retention (TimescaleDB has its own retention policy). Serialized across
/// processors by an advisory lock.
/// </summary>
public sealed class RetentionJob(
    PartitionMaintenance partitions, ShardConsumer consumer, ProcessorSettings settings, ILogger<RetentionJob> logger, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken);
                await RunOnceAsync(stoppingToken);
                await Task.Delay(settings.RetentionInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                Log.BackgroundFailed(logger, ex, "retention");
            }
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (await partitions.ReadModeAndShardsAsync(cancellationToken) is not { } stored)
        {
            return;
        }
        var now = time.GetUtcNow();
        // A day of margin: an id is kept for at least the whole window.
        var idsCutoff = now - settings.DedupeWindow - TimeSpan.FromDays(1);
        if (await partitions.DropBeforeAsync("event_ids", idsCutoff, cancellationToken) is > 0 and var ids)
        {
            Log.PartitionsDropped(logger, ids, "event_ids", idsCutoff);
        }
        if (stored.Mode == StorageMode.Plain)
        {
            var cutoff = now - TimeSpan.FromDays(settings.RetentionDays);
            if (await partitions.DropBeforeAsync("events", cutoff, cancellationToken) is > 0 and var events)
            {
                consumer.ForgetPartitions();
                Log.PartitionsDropped(logger, events, "events", cutoff);
            }
        }
    }
}
