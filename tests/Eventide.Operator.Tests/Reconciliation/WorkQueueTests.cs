using Eventide.Operator.Reconciliation;
using Microsoft.Extensions.Time.Testing;

namespace Eventide.Operator.Tests.Reconciliation;

public class WorkQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private WorkQueue Queue(int baseMs = 10, int maxMs = 1000) => new(TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(maxMs), _clock);

    [Fact]
    public async Task Add_of_queued_key_keeps_one_entry()
    {
        using var q = Queue();
        q.Add("a");
        q.Add("a");
        q.Add("b");
        Assert.Equal(2, q.Count);
        using var cts = new CancellationTokenSource(Deadline);
        Assert.Equal("a", await q.TakeAsync(cts.Token));
        Assert.Equal("b", await q.TakeAsync(cts.Token));
    }

    [Fact]
    public async Task Add_while_processing_requeues_the_key_after_done_and_not_before()
    {
        using var q = Queue();
        using var cts = new CancellationTokenSource(Deadline);
        q.Add("a");
        var key = await q.TakeAsync(cts.Token);
        q.Add("a");
        Assert.Equal(0, q.Count);
        q.Done(key);
        Assert.Equal(1, q.Count);
        Assert.Equal("a", await q.TakeAsync(cts.Token));
    }

    [Fact]
    public void AddAfter_queues_the_key_only_when_its_delay_has_passed()
    {
        using var q = Queue();
        q.AddAfter("a", TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, q.Count);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, q.Count);
        Assert.Equal(0, q.Waiting);
    }

    [Fact]
    public void AddAfter_of_the_same_key_keeps_one_pending_add_at_the_earliest_due_time()
    {
        using var q = Queue();
        q.AddAfter("a", TimeSpan.FromSeconds(10));
        // Every status event of a pipeline asks again; none of them may add a second requeue.
        for (var i = 0; i < 20; i++)
        {
            q.AddAfter("a", TimeSpan.FromSeconds(30));
        }
        q.AddAfter("a", TimeSpan.FromSeconds(5));
        Assert.Equal(1, q.Waiting);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, q.Count);
        Assert.Equal(0, q.Waiting);
        _clock.Advance(TimeSpan.FromSeconds(60));
        // The replaced 10 s timer and the 30 s asks added nothing: still the one queued entry, nothing waiting.
        Assert.Equal(1, q.Count);
        Assert.Equal(0, q.Waiting);
    }

    [Fact]
    public async Task AddAfter_fires_once_per_period_when_each_reconcile_requeues()
    {
        using var q = Queue();
        using var cts = new CancellationTokenSource(Deadline);
        var taken = 0;
        q.Add("a");
        for (var round = 0; round < 5; round++)
        {
            var key = await q.TakeAsync(cts.Token);
            taken++;
            // Three watch events during the reconcile each ask for the same requeue.
            q.AddAfter(key, TimeSpan.FromSeconds(2));
            q.AddAfter(key, TimeSpan.FromSeconds(2));
            q.AddAfter(key, TimeSpan.FromSeconds(2));
            q.Done(key);
            _clock.Advance(TimeSpan.FromSeconds(2));
        }
        Assert.Equal(5, taken);
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public async Task AddRateLimited_backs_off_exponentially_until_forgotten()
    {
        using var q = Queue(10, 50);
        Assert.Equal(TimeSpan.FromMilliseconds(10), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(40), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), q.AddRateLimited("a"));
        Assert.Equal(4, q.Failures("a"));
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        using var cts = new CancellationTokenSource(Deadline);
        Assert.Equal("a", await q.TakeAsync(cts.Token));
        q.Forget("a");
        Assert.Equal(0, q.Failures("a"));
    }
}
