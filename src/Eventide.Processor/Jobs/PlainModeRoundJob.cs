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
/// A job may also cap the share of time its rounds take (<see cref="MaxShare"/>): after a
/// round it then rests in proportion to how long the round took, full or not, so a backlog
/// it cannot clear does not keep a database backend busy beside the storing transactions.
/// </summary>
public abstract class PlainModeRoundJob(PartitionMaintenance partitions, ILogger logger, TimeProvider time) : BackgroundService
{
    /// <summary>What the workload does, as the failure log names it.</summary>
    protected abstract string Work { get; }

    /// <summary>The pause after a round that was not full, and after a failure.</summary>
    protected abstract TimeSpan Pause { get; }

    /// <summary>
    /// The most of the job's time its rounds may take, in (0, 1]: after a round that took t the
    /// job rests at least t × (1 / share − 1). 1 (the default) never rests after a full round.
    /// </summary>
    protected virtual double MaxShare => 1.0;

    /// <summary>One round of the workload; true when it was full, so more is waiting at once.</summary>
    protected abstract Task<bool> RunRoundAsync(CancellationToken cancellationToken);

    private TimeSpan RestAfter(TimeSpan took)
    {
        var share = MaxShare;
        return share >= 1.0 || took <= TimeSpan.Zero ? TimeSpan.Zero : took * (1.0 / share - 1.0);
    }

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
                var rest = TimeSpan.Zero;
                if (mode == StorageMode.Plain)
                {
                    var started = time.GetTimestamp();
                    var full = await RunRoundAsync(stoppingToken);
                    rest = RestAfter(time.GetElapsedTime(started));
                    if (full)
                    {
                        if (rest > TimeSpan.Zero)
                        {
                            await Task.Delay(rest, time, stoppingToken);
                        }
                        continue;
                    }
                }
                await Task.Delay(rest > Pause ? rest : Pause, time, stoppingToken);
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
