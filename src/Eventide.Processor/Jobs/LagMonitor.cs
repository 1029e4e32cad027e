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
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The gauges keep the last reading meanwhile. The refresh interval applies after a
                // failure too: a database that refuses connections fails each reading at once,
                // and retrying without a pause spun a core and logged thousands of lines a second.
                Log.BackgroundFailed(logger, ex, "lag");
            }
            try
            {
                await Task.Delay(settings.LagRefresh, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
