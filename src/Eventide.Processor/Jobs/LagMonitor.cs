using Eventide.Processor.Cluster;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor.Jobs;

/// <summary>Refreshes the lag gauges from the inbox; gauge callbacks must not query the database themselves.</summary>
public sealed class LagMonitor(
    LagStore lag, ProcessorClusterState cluster, ProcessorSettings settings, ProcessorMetrics metrics, ILogger<LagMonitor> logger, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (cluster.Shards > 0)
                {
                    metrics.PublishLag(cluster.Shards, await lag.ReadAsync(null, stoppingToken));
                }
                await Task.Delay(settings.LagRefresh, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The next refresh retries; the gauges keep the last reading meanwhile.
                Log.BackgroundFailed(logger, ex, "lag");
            }
        }
    }
}
