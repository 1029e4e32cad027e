using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Eventide.Storage.Processing;
using Npgsql;

namespace Eventide.Processor.Cluster;

/// <summary>
/// Consumes one inbox shard from inside its Akka shard, as an Akka.Streams
/// graph: inbox signals (class elements) → weighted batching (flush when
/// signals for batchSize events are in, or flushInterval after the window
/// opened) → one consume transaction at a time under the member's gate →
/// sink. Each stage pulls only when the next one asks, so a slow database
/// holds the batching back, and the signal buffer drops its oldest hints
/// (the inbox is the real buffer; the poll repeats what was dropped).
/// On the shard's hand-off stop message (handoff, or leaving the cluster
/// on SIGTERM) the source completes: the open window flushes, the
/// in-flight batch commits, and only then does the entity stop, which is
/// what lets Akka start the shard elsewhere.
/// </summary>
public sealed class ShardConsumerEntity : ReceiveActor
{
    private readonly int _shard;
    private readonly ShardConsumerSettings _settings;
    private readonly CancellationTokenSource _abort = new();
    private readonly IRecentIds? _front;
    private IActorRef? _signals;
    private Action<InboxSignal>? _register;
    private volatile bool _stopping;
    private long _stopRequestedAt;

    public ShardConsumerEntity(int shard, ShardConsumerSettings settings)
    {
        _shard = shard;
        _settings = settings;
        _front = settings.Sites is { } sites ? new SiteFront(sites, settings.FrontTimeout) : null;

        Receive<Wake>(_ => { });
        Receive<InboxSignal>(s => _signals?.Tell(s));
        Receive<StopEntity>(_ => StopGracefully());
        Receive<BatchCommitted>(m => TellSites(m.Result));
        Receive<StreamEnded>(m =>
        {
            if (m.Error is { } error)
            {
                Log.ConsumerFailed(_settings.Logger, error, _shard);
            }
            else if (_stopping)
            {
                var seconds = Stopwatch.GetElapsedTime(_stopRequestedAt).TotalSeconds;
                _settings.Metrics.RecordHandoff(seconds);
                Log.ShardHandedOff(_settings.Logger, _shard, seconds);
            }
            Context.Stop(Self);
        });
    }

    protected override void PreStart()
    {
        var self = Self;
        var (signals, done) = Source.ActorRef<InboxSignal>(64, OverflowStrategy.DropHead)
            .GroupedWeightedWithin(_settings.Batch.BatchSize, _settings.Batch.FlushInterval, static s => s.Weight)
            .SelectAsync(1, _ => FlushAsync(self))
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Both)
            .Run(Context.Materializer());
        _signals = signals;
        done.PipeTo(self, success: _ => new StreamEnded(null), failure: ex => new StreamEnded(ex));
        _register = signals.Tell;
        _settings.Local.Register(_shard, _register);
        // Whatever waits in the inbox now is consumed without waiting for a NOTIFY.
        signals.Tell(InboxSignal.Notified);
        Log.ShardStarted(_settings.Logger, _shard);
    }

    protected override void PostStop()
    {
        if (_register is not null)
        {
            _settings.Local.Unregister(_shard, _register);
        }
        // Stopped without the hand-off message (the member was downed or the
        // system is terminating): roll the in-flight transaction back.
        if (!_stopping)
        {
            _abort.Cancel();
        }
        _abort.Dispose();
    }

    private void StopGracefully()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        _stopRequestedAt = Stopwatch.GetTimestamp();
        _settings.Local.Unregister(_shard, _register!);
        _signals?.Tell(new Status.Success(Done.Instance));
    }

    /// <summary>Runs on the stream, not in the actor: touches only immutable state and the volatile stop flag.</summary>
    private async Task<Done> FlushAsync(IActorRef self)
    {
        var more = true;
        while (more)
        {
            try
            {
                await _settings.Gate.WaitAsync(_abort.Token);
            }
            catch (OperationCanceledException)
            {
                return Done.Instance;
            }
            ConsumeResult result;
            var started = Stopwatch.GetTimestamp();
            try
            {
                // While handing off, the sites of this shard are stopping and
                // cannot answer: the database's record alone decides.
                result = await _settings.Store.ConsumeAsync(_shard, _settings.Batch.BatchSize, _stopping ? null : _front, _abort.Token);
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                return Done.Instance;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or IOException)
            {
                // The rows stay in the inbox; the next signal (the poll sends
                // one twice a second) tries again, or the shard's next holder does.
                Log.BatchFailed(_settings.Logger, ex, _shard, _settings.RetryDelay.TotalSeconds);
                await DelayAsync(_settings.RetryDelay);
                return Done.Instance;
            }
            finally
            {
                _settings.Gate.Release();
            }
            if (result.ClaimedRows > 0)
            {
                _settings.Batches?.RecordBatch(result, Stopwatch.GetElapsedTime(started).TotalSeconds);
                self.Tell(new BatchCommitted(result));
                if (result.DeadLettered.Count > 0)
                {
                    Log.DeadLettered(_settings.Logger, _shard, result.DeadLettered.Count, result.DeadLettered[0].Error);
                }
            }
            // On stop only the in-flight window is committed; the backlog behind
            // it belongs to the shard's next holder.
            more = result.HasMore && !_stopping;
        }
        return Done.Instance;
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _abort.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>After the commit, never before: the sites' fronts must hold only committed ids.</summary>
    private void TellSites(ConsumeResult result)
    {
        if (_settings.Sites is not { } sites)
        {
            return;
        }
        foreach (var committed in ConsumerDecisions.PerSite(result))
        {
            sites.Tell(committed);
        }
    }

    private sealed record StreamEnded(Exception? Error);
}
