using Eventide.Processor.Cluster;
using Eventide.Processor.Jobs;
using Eventide.Storage.Processing;
using Eventide.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace Eventide.Processor.Tests.Jobs;

/// <summary>
/// The lag gauges' refresh loop against a database that refuses every connection (a loopback
/// port nothing listens on), with fake time: a failed reading must wait the refresh interval
/// like a good one, or an outage turns the loop into a busy retry.
/// </summary>
public class LagMonitorTests
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_failed_reading_is_logged_and_retried_only_after_the_refresh_interval()
    {
        var clock = new CountingClock(new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero));
        var logger = new FakeLogger<LagMonitor>();
        await using var refusing = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={EventideProcess.FreePort()};Username=eventide;Timeout=2");
        var cluster = new ProcessorClusterState();
        cluster.Started(null!, null!, 8);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new ProcessorMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var monitor = new LagMonitor(new LagStore(refusing), cluster, new ProcessorSettings { LagRefresh = Refresh }, metrics, logger, clock);
        await monitor.StartAsync(CancellationToken.None);
        try
        {
            for (var reading = 1; reading <= 3; reading++)
            {
                // The clock stands still until the loop waits: only then may the next reading come.
                await Eventually.True(() => clock.Timers == reading, $"the wait after failed reading {reading}");
                var failures = logger.Collector.GetSnapshot();
                Assert.Equal(reading, failures.Count);
                Assert.All(failures, f =>
                {
                    Assert.Equal(LogLevel.Warning, f.Level);
                    Assert.IsAssignableFrom<NpgsqlException>(f.Exception);
                    Assert.Contains("lag", f.Message, StringComparison.Ordinal);
                });
                clock.Advance(Refresh);
            }
        }
        finally
        {
            await monitor.StopAsync(CancellationToken.None);
        }
    }
}
