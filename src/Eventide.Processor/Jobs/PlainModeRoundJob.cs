using Eventide.Storage;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor.Jobs;

/// <summary>
/// The round loop of the plain-mode maintenance jobs, one workload each: rounds follow each
/// other without a pause while a round comes back full (more is waiting), otherwise the job
/// pauses; a database failure is logged and the round retried after the same pause. In
/// Timescale mode the job ends at once: the database does that work itself there. Every
/// processor runs each job; the workload's advisory lock lets one processor work at a time.
/// </summary>
public abstract class PlainModeRoundJob(PartitionMaintenance partitions, ILogger logger, TimeProvider time) : BackgroundService
{
    /// <summary>What the workload does, as the failure log names it.</summary>
    protected abstract string Work { get; }

    /// <summary>The pause after a round that was not full, and after a failure.</summary>
    protected abstract TimeSpan Pause { get; }

    /// <summary>One round of the workload; true when it was full, so more is waiting at once.</summary>
    protected abstract Task<bool> RunRoundAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Read until known: a processor may start before `eventide migrate` has recorded the mode.
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
                if (mode == StorageMode.Plain && await RunRoundAsync(stoppingToken))
                {
                    continue;
                }
                await Task.Delay(Pause, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                Log.BackgroundFailed(logger, ex, Work);
                await Task.Delay(Pause, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
