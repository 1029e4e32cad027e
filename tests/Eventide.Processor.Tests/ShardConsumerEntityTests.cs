using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Eventide.Processor.Cluster;
using Eventide.Storage.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eventide.Processor.Tests;

/// <summary>The shard consumer's flushes, against a store that reports each consume transaction to a probe.</summary>
public class ShardConsumerEntityTests : TestKit
{
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    private readonly TestProbe _store;
    private readonly LocalShards _local = new();

    public ShardConsumerEntityTests() => _store = CreateTestProbe();

    [Fact]
    public void Signals_for_a_full_batch_flush_at_once()
    {
        var consumer = Start(new BatchPolicy(100, Never));
        consumer.Tell(new InboxSignal(100));
        Assert.Equal(3, _store.ExpectMsg<Consumed>(TimeSpan.FromSeconds(10)).Shard);
    }

    [Fact]
    public void A_window_short_of_the_batch_size_flushes_after_the_flush_interval()
    {
        Start(new BatchPolicy(1000, TimeSpan.FromMilliseconds(200)));
        // Only the start-up signal (one event) is in the window.
        _store.ExpectMsg<Consumed>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_window_short_of_the_batch_size_does_not_flush_before_the_interval()
    {
        Start(new BatchPolicy(1000, Never));
        _store.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void The_hand_off_stop_message_flushes_the_open_window_and_then_stops()
    {
        var consumer = Start(new BatchPolicy(1000, Never));
        Watch(consumer);
        AwaitCondition(() => _local.ShardCount == 1);
        consumer.Tell(StopEntity.Instance);
        var flush = _store.ExpectMsg<Consumed>(TimeSpan.FromSeconds(10));
        Assert.False(flush.WithFront, "a shard handing off cannot ask its stopping sites");
        ExpectTerminated(consumer, TimeSpan.FromSeconds(10));
        Assert.Equal(0, _local.ShardCount);
    }

    [Fact]
    public void A_backlog_cut_at_the_batch_size_is_consumed_in_follow_up_transactions()
    {
        var store = new ProbeStore(_store.Ref, hasMore: 2);
        var consumer = Start(new BatchPolicy(10, Never), store);
        consumer.Tell(new InboxSignal(10));
        _store.ExpectMsg<Consumed>(TimeSpan.FromSeconds(10));
        _store.ExpectMsg<Consumed>(TimeSpan.FromSeconds(10));
        _store.ExpectMsg<Consumed>(TimeSpan.FromSeconds(10));
        _store.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private IActorRef Start(BatchPolicy batch, IShardStore? store = null)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var settings = new ShardConsumerSettings(store ?? new ProbeStore(_store.Ref, hasMore: 0), batch, new SemaphoreSlim(1, 1), _local,
            new ClusterMetrics(meters), NullLogger.Instance)
        { Sites = CreateTestProbe().Ref };
        return Sys.ActorOf(Props.Create(() => new ShardConsumerEntity(3, settings)));
    }

    private sealed record Consumed(int Shard, bool WithFront);

    private sealed class ProbeStore(IActorRef probe, int hasMore) : IShardStore
    {
        private int _more = hasMore;

        public Task<ConsumeResult> ConsumeAsync(int shard, int maxEvents, IRecentIds? recent, CancellationToken cancellationToken)
        {
            probe.Tell(new Consumed(shard, recent is not null));
            var more = Interlocked.Decrement(ref _more) >= 0;
            return Task.FromResult(new ConsumeResult(1, more ? maxEvents : 1, [], [], [], more));
        }
    }
}
