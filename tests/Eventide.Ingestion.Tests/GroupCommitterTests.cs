using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Eventide.Core;
using Eventide.Ingestion.Commit;
using Eventide.Storage.Inbox;
using Eventide.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eventide.Ingestion.Tests;

/// <summary>
/// The committer's scheduling with a writer the test drives: which requests share a
/// transaction, how many transactions run at once, and which outcome each request gets.
/// The database path is covered by <see cref="GroupCommitTests"/>; here each transaction ends
/// exactly when, and how, the test says.
/// </summary>
public sealed class GroupCommitterTests : IAsyncDisposable
{
    /// <summary>Long enough never to expire on a loaded machine: these tests are about order, not time.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private int _failures;
    private GroupCommitter? _committer;

    /// <summary>One transaction the committer opened, waiting for the test to end it.</summary>
    private sealed record Write(IReadOnlyList<EventRecord> Events, Func<bool> MayCommit, TaskCompletionSource Outcome)
    {
        public IEnumerable<string> Ids => Events.Select(e => e.EventId);

        public void Commit() => Outcome.SetResult();

        public void Fail() => Outcome.SetException(new InboxCommitException(false, "failed by the test", new InvalidOperationException()));
    }

    public async ValueTask DisposeAsync()
    {
        if (_committer is not null)
        {
            // Let anything still open end, so StopAsync's drain returns.
            _writes.Writer.TryComplete();
            while (_writes.Reader.TryRead(out var open))
            {
                open.Commit();
            }
            await _committer.StopAsync(CancellationToken.None);
            _committer.Dispose();
        }
        await _services.DisposeAsync();
    }

    private async Task<GroupCommitter> StartAsync(int concurrentCommits)
    {
        var options = new EventideOptions();
        options.Ingestion.MaxConcurrentCommits = concurrentCommits;
        _committer = new GroupCommitter(WriteAsync, () => Interlocked.Increment(ref _failures), options,
            new IngestionMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<GroupCommitter>.Instance);
        await _committer.StartAsync(CancellationToken.None);
        return _committer;
    }

    private async Task WriteAsync(IReadOnlyList<EventRecord> events, Func<bool> mayCommit, CancellationToken ct, TimeSpan timeout)
    {
        var write = new Write([.. events], mayCommit, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _writes.Writer.WriteAsync(write, ct);
        await write.Outcome.Task;
        if (!mayCommit())
        {
            throw new InboxCommitException(false, "a request gave up", new TimeoutException());
        }
    }

    private async Task<Write> NextWriteAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _writes.Reader.ReadAsync(deadline.Token);
    }

    private static EventRecord Event(string id) =>
        new("demo", "e", DateTimeOffset.UtcNow, id, null, null, null, null, null, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Concurrent_commits_answer_each_request_from_its_own_transaction()
    {
        var committer = await StartAsync(concurrentCommits: 2);
        var a = committer.CommitAsync([Event("a")], Wait);
        var first = await NextWriteAsync();
        var b = committer.CommitAsync([Event("b")], Wait);
        var second = await NextWriteAsync();
        Assert.Equal(["a"], first.Ids);
        Assert.Equal(["b"], second.Ids);

        // Both slots are busy: c waits for one instead of opening a third transaction.
        var c = committer.CommitAsync([Event("c")], Wait);
        Assert.False(_writes.Reader.TryPeek(out _));

        second.Commit();
        Assert.Equal(CommitOutcome.Committed, await b);
        Assert.False(a.IsCompleted, "a's transaction is still open");
        var third = await NextWriteAsync();
        Assert.Equal(["c"], third.Ids);

        first.Fail();
        Assert.Equal(CommitOutcome.Failed, await a);
        Assert.False(c.IsCompleted, "c's transaction is still open");
        Assert.Equal(1, Volatile.Read(ref _failures));

        third.Commit();
        Assert.Equal(CommitOutcome.Committed, await c);
        Assert.Equal(0, committer.BufferedEvents);
        Assert.False(committer.Failing);
    }

    [Fact]
    public async Task Requests_that_arrive_while_every_slot_is_busy_share_the_next_transaction()
    {
        var committer = await StartAsync(concurrentCommits: 1);
        var a = committer.CommitAsync([Event("a")], Wait);
        var first = await NextWriteAsync();
        var rest = new[] { "b", "c", "d" }.Select(id => committer.CommitAsync([Event(id)], Wait)).ToList();
        // The queue holds all three before the slot frees up.
        await Eventually.WaitAsync(() => Task.FromResult(committer.BufferedEvents), n => n == 4, TimeSpan.FromSeconds(10), "b, c and d to queue");

        first.Commit();
        Assert.Equal(CommitOutcome.Committed, await a);
        var second = await NextWriteAsync();
        Assert.Equal(["b", "c", "d"], second.Ids);
        second.Fail();
        Assert.All(await Task.WhenAll(rest), o => Assert.Equal(CommitOutcome.Failed, o));
        Assert.True(committer.Failing);
    }

    [Fact]
    public async Task Stopping_answers_every_request_in_flight_before_it_returns()
    {
        var committer = await StartAsync(concurrentCommits: 3);
        var requests = new List<Task<CommitOutcome>>();
        var writes = new List<Write>();
        foreach (var id in new[] { "a", "b", "c" })
        {
            requests.Add(committer.CommitAsync([Event(id)], Wait));
            writes.Add(await NextWriteAsync());
        }

        var stopping = committer.StopAsync(CancellationToken.None);
        Assert.Equal(CommitOutcome.ShuttingDown, await committer.CommitAsync([Event("late")], Wait));
        Assert.False(stopping.IsCompleted, "three transactions are still open");
        foreach (var w in writes)
        {
            w.Commit();
        }
        await stopping;
        Assert.All(await Task.WhenAll(requests), o => Assert.Equal(CommitOutcome.Committed, o));
    }
}
