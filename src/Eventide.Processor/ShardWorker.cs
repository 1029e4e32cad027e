using System.Diagnostics;
using System.Threading.Channels;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor;

/// <summary>
/// Consumes one owned shard: waits for inbox signals, asks
/// <see cref="BatchDecision"/> when to flush, and flushes with one consume
/// transaction at a time. Stopping gracefully lets the in-flight batch (and
/// the pending one) commit first; aborting cancels it uncommitted.
/// </summary>
internal sealed class ShardWorker
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly ShardConsumer _consumer;
    private readonly ProcessorSettings _settings;
    private readonly ProcessorMetrics _metrics;
    private readonly SemaphoreSlim _gate;
    private readonly int _lockPid;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly Channel<long> _signals = Channel.CreateBounded<long>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private string _lastError = "";

    public ShardWorker(int shard, ShardConsumer consumer, ProcessorSettings settings, ProcessorMetrics metrics, SemaphoreSlim gate, int lockPid, ILogger logger, TimeProvider time)
    {
        Shard = shard;
        _consumer = consumer;
        _settings = settings;
        _metrics = metrics;
        _gate = gate;
        _lockPid = lockPid;
        _logger = logger;
        _time = time;
        _started = time.GetTimestamp();
        Sites = new SiteStateTable(time, settings.SitePassivation, settings.DedupeWindow, settings.RecentIdsPerSite);
        Completion = Task.Run(RunAsync);
    }

    public int Shard { get; }

    public SiteStateTable Sites { get; }

    public Task Completion { get; }

    /// <summary>True when the worker stopped because its lock was gone.</summary>
    public bool Lost { get; private set; }

    /// <summary>Inbox rows arrived: <paramref name="events"/> waiting when known, -1 when not (a NOTIFY).</summary>
    public void Signal(long events) => _signals.Writer.TryWrite(events);

    /// <summary>Graceful: commit the in-flight and pending batch, then end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Completion;
    }

    /// <summary>The lock is gone: cancel the in-flight transaction (it rolls back) and end.</summary>
    public async Task AbortAsync()
    {
        await _abort.CancelAsync();
        await _stop.CancelAsync();
        await Completion;
    }

    private TimeSpan Now => _time.GetElapsedTime(_started);

    private async Task RunAsync()
    {
        var state = BatchWindow.Empty;
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var input = await NextInputAsync(state);
            var (next, flush) = BatchDecision.Next(state, input, _settings.Batch);
            state = next;
            while (flush)
            {
                var result = await FlushAsync();
                if (result is null)
                {
                    if (Lost || _abort.IsCancellationRequested)
                    {
                        return;
                    }
                    // Keep the window: the events are still waiting.
                    state = state.IsEmpty ? new BatchWindow(1, Now) : state;
                    Log.BatchFailed(_logger, Shard, _lastError, backoff.TotalSeconds);
                    if (!await DelayAsync(backoff))
                    {
                        return;
                    }
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    break;
                }
                backoff = TimeSpan.FromMilliseconds(100);
                (state, flush) = BatchDecision.Next(state, BatchInput.Flushed(Now, result.ClaimedEvents, result.HasMore), _settings.Batch);
                // On stop, only the in-flight window is committed; the backlog
                // behind it belongs to the shard's next owner.
                flush &= input.Kind != BatchInputKind.Stop && !_stop.IsCancellationRequested;
            }
            Sites.Passivate();
            if (input.Kind == BatchInputKind.Stop)
            {
                return;
            }
        }
    }

    private async Task<BatchInput> NextInputAsync(BatchWindow state)
    {
        if (_stop.IsCancellationRequested)
        {
            return BatchInput.Stop(Now);
        }
        var wait = BatchDecision.DueIn(state, Now, _settings.Batch) is { } due && due < SweepInterval ? due : SweepInterval;
        if (_signals.Reader.TryRead(out var ready))
        {
            return BatchInput.Arrived(Now, ready < 0 ? null : ready);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(wait);
        try
        {
            var events = await _signals.Reader.ReadAsync(timeout.Token);
            return BatchInput.Arrived(Now, events < 0 ? null : events);
        }
        catch (OperationCanceledException)
        {
            return _stop.IsCancellationRequested ? BatchInput.Stop(Now) : BatchInput.Tick(Now);
        }
    }

    private async Task<ConsumeResult?> FlushAsync()
    {
        try
        {
            await _gate.WaitAsync(_abort.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await _consumer.ConsumeAsync(Shard, _settings.Batch.BatchSize, _lockPid, Sites, _abort.Token);
            if (result.ClaimedRows > 0)
            {
                Sites.Record(result);
                _metrics.RecordBatch(result, Stopwatch.GetElapsedTime(started).TotalSeconds);
                if (result.DeadLettered.Count > 0)
                {
                    Log.DeadLettered(_logger, Shard, result.DeadLettered.Count, result.DeadLettered[0].Error);
                }
            }
            return result;
        }
        catch (ShardLostException)
        {
            Lost = true;
            Log.ShardLost(_logger, Shard);
            return null;
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            _lastError = ex.Message;
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stop.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
