using Eventide.Operator.Reconciliation;

namespace Eventide.Operator.Tests.Reconciliation;

public class WorkQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Add_of_queued_key_keeps_one_entry()
    {
        using var q = new WorkQueue(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
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
        using var q = new WorkQueue(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
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
    public async Task AddRateLimited_backs_off_exponentially_until_forgotten()
    {
        using var q = new WorkQueue(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Equal(TimeSpan.FromMilliseconds(10), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(40), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), q.AddRateLimited("a"));
        Assert.Equal(4, q.Failures("a"));
        using var cts = new CancellationTokenSource(Deadline);
        Assert.Equal("a", await q.TakeAsync(cts.Token));
        q.Forget("a");
        Assert.Equal(0, q.Failures("a"));
    }
}
