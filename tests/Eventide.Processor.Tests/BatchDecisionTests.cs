namespace Eventide.Processor.Tests;

public class BatchDecisionTests
{
    private static readonly BatchPolicy Policy = new(100, TimeSpan.FromMilliseconds(200));

    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Arrived_below_batch_size_waits_for_the_flush_interval()
    {
        var (state, flush) = BatchDecision.Next(BatchWindow.Empty, BatchInput.Arrived(Ms(1000), events: null), Policy);
        Assert.False(flush);
        Assert.Equal(Ms(1000), state.OldestAt);
        Assert.Equal(Ms(200), BatchDecision.DueIn(state, Ms(1000), Policy));

        (state, flush) = BatchDecision.Next(state, BatchInput.Arrived(Ms(1100), events: 40), Policy);
        Assert.False(flush);
        Assert.Equal(Ms(1000), state.OldestAt);
        Assert.Equal(Ms(100), BatchDecision.DueIn(state, Ms(1100), Policy));

        (_, flush) = BatchDecision.Next(state, BatchInput.Tick(Ms(1199)), Policy);
        Assert.False(flush);
        (_, flush) = BatchDecision.Next(state, BatchInput.Tick(Ms(1200)), Policy);
        Assert.True(flush);
    }

    [Fact]
    public void Arrived_with_a_full_batch_flushes_at_once()
    {
        var (state, flush) = BatchDecision.Next(BatchWindow.Empty, BatchInput.Arrived(Ms(0), events: 100), Policy);
        Assert.True(flush);
        Assert.Equal(100, state.PendingEvents);
    }

    [Fact]
    public void Notifications_count_at_least_one_event_each()
    {
        var state = BatchWindow.Empty;
        var flush = false;
        for (var i = 0; i < 100; i++)
        {
            (state, flush) = BatchDecision.Next(state, BatchInput.Arrived(Ms(i), events: null), Policy);
        }
        Assert.True(flush);
        Assert.Equal(Ms(0), state.OldestAt);
    }

    [Fact]
    public void Tick_with_nothing_pending_never_flushes()
    {
        var (state, flush) = BatchDecision.Next(BatchWindow.Empty, BatchInput.Tick(Ms(10_000)), Policy);
        Assert.False(flush);
        Assert.True(state.IsEmpty);
        Assert.Null(BatchDecision.DueIn(state, Ms(10_000), Policy));
    }

    [Fact]
    public void Flushed_with_more_waiting_flushes_again_and_drained_empties_the_window()
    {
        var (state, _) = BatchDecision.Next(BatchWindow.Empty, BatchInput.Arrived(Ms(0), events: 250), Policy);
        (state, var again) = BatchDecision.Next(state, BatchInput.Flushed(Ms(5), claimed: 100, hasMore: true), Policy);
        Assert.True(again);
        Assert.Equal(150, state.PendingEvents);
        Assert.Equal(Ms(0), state.OldestAt);

        (state, again) = BatchDecision.Next(state, BatchInput.Flushed(Ms(9), claimed: 50, hasMore: false), Policy);
        Assert.False(again);
        Assert.True(state.IsEmpty);
    }

    [Fact]
    public void Stop_flushes_only_what_is_pending()
    {
        var (_, flush) = BatchDecision.Next(BatchWindow.Empty, BatchInput.Stop(Ms(0)), Policy);
        Assert.False(flush);

        var (state, _) = BatchDecision.Next(BatchWindow.Empty, BatchInput.Arrived(Ms(0), events: 3), Policy);
        (state, flush) = BatchDecision.Next(state, BatchInput.Stop(Ms(1)), Policy);
        Assert.True(flush);
        Assert.True(state.IsEmpty);
    }
}
