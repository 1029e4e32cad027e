using System.Diagnostics;
using System.Threading.Channels;
using Eventide.Core;
using Eventide.Storage.Inbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion.Commit;

/// <summary>
/// Group commit: requests enqueue their validated events and wait; one loop
/// drains everything queued (up to a cap) into a single inbox transaction and
/// answers each group's requests when that group's transaction has ended. Up to
/// <see cref="IngestionOptions.MaxConcurrentCommits"/> transactions run at once,
/// each on its own connection: the loop takes a group only when a slot is free,
/// so while every slot is busy the next group gathers and the commit rate adapts
/// to the database's speed. Concurrent commits let PostgreSQL flush several
/// commit records with one WAL fsync; with a single one in flight, throughput
/// would be capped at (events per commit ÷ commit latency) whatever the load.
/// Groups are independent: a request is answered from its own group's outcome
/// only, so a failed transaction fails exactly its own requests.
///
/// Bounded in events (<see cref="IngestionOptions.MaxBufferedEvents"/>): a full
/// buffer answers 503 at once. Bounded in time: at its deadline a request
/// abandons its events unless its group's insert-and-commit is already on its way
/// (see <see cref="PendingCommit"/>) and answers 503; a group with an abandoned
/// request is never sent. A sent one is stopped by the server (statement_timeout)
/// just before the group's earliest deadline and rolls back. Only a commit whose
/// answer does not arrive within <see cref="InDoubtGrace"/> leaves the outcome in
/// doubt, and that 503 says so and lists the event ids to retry with.
/// </summary>
public sealed class GroupCommitter : BackgroundService
{
    /// <summary>How long a request whose events are in a running transaction waits past its deadline for the outcome.</summary>
    public static readonly TimeSpan InDoubtGrace = TimeSpan.FromMilliseconds(200);

    /// <summary>How long after the budget the client cancels a transaction the server has not ended itself.</summary>
    private static readonly TimeSpan BackstopDelay = TimeSpan.FromMilliseconds(300);

    /// <summary>How much sooner than the group's earliest deadline the server ends a slow insert.</summary>
    private static readonly TimeSpan ServerMargin = TimeSpan.FromMilliseconds(50);

    /// <summary>A request with less time left is answered 503 rather than included: it would cut the whole group's transaction short.</summary>
    private static readonly TimeSpan MinCommitWindow = TimeSpan.FromMilliseconds(100);

    private readonly Channel<PendingCommit> _queue = Channel.CreateUnbounded<PendingCommit>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly GroupWrite _write;
    private readonly Action _onFailure;
    private readonly SemaphoreSlim _slots;
    private readonly IngestionOptions _options;
    private readonly ILogger<GroupCommitter> _logger;
    private readonly IngestionMetrics _metrics;
    private readonly IDisposable _gauge;
    private long _buffered;
    private long _consecutiveFailures;

    public GroupCommitter(InboxWriter writer, IngestionDatabase database, EventideOptions options, IngestionMetrics metrics, ILogger<GroupCommitter> logger)
        : this((events, mayCommit, ct, timeout) => writer.WriteAsync(events, mayCommit, ct, timeout),
            // Idle connections opened before a failure are probably dead too; the next commit
            // should dial afresh so service resumes as soon as the database does.
            database.Clear, options, metrics, logger)
    {
    }

    /// <summary>A committer over any <see cref="GroupWrite"/>; <paramref name="onFailure"/> runs after each failed transaction.</summary>
    public GroupCommitter(GroupWrite write, Action onFailure, EventideOptions options, IngestionMetrics metrics, ILogger<GroupCommitter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _write = write;
        _onFailure = onFailure;
        _options = options.Ingestion;
        _slots = new SemaphoreSlim(_options.MaxConcurrentCommits, _options.MaxConcurrentCommits);
        _logger = logger;
        _metrics = metrics;
        _gauge = metrics.RegisterBuffer(() => BufferedEvents);
    }

    /// <summary>Events accepted and not yet committed or given up.</summary>
    public long BufferedEvents => Volatile.Read(ref _buffered);

    /// <summary>True after a failed commit until one succeeds.</summary>
    public bool Failing => Volatile.Read(ref _consecutiveFailures) > 0;

    /// <summary>
    /// Queues the events for the next group commit and waits for its outcome until
    /// <paramref name="wait"/> has passed (plus <see cref="InDoubtGrace"/> when a
    /// transaction holds the events by then).
    /// </summary>
    public async Task<CommitOutcome> CommitAsync(IReadOnlyList<EventRecord> events, TimeSpan wait)
    {
        var count = events.Count;
        if (Interlocked.Add(ref _buffered, count) > _options.MaxBufferedEvents)
        {
            Interlocked.Add(ref _buffered, -count);
            return CommitOutcome.BufferFull;
        }
        var pending = new PendingCommit(events, Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency));
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _buffered, -count);
            return CommitOutcome.ShuttingDown;
        }
        try
        {
            return await pending.Completion.Task.WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            if (pending.TryAbandon())
            {
                // No transaction will commit the events: the committer skips abandoned entries
                // and rolls back a group in which any entry was abandoned.
                return CommitOutcome.TimedOut;
            }
            try
            {
                return await pending.Completion.Task.WaitAsync(InDoubtGrace);
            }
            catch (TimeoutException)
            {
                return CommitOutcome.InDoubt;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // New requests get ShuttingDown; everything already queued is still committed and answered.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _gauge.Dispose();
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        // Not stoppingToken: on shutdown the queue is completed and drained, so every
        // accepted request still gets its answer.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // A free slot first, then the group: whatever arrives while every slot is busy
            // joins the next group, so under load groups grow rather than commits queueing.
            await _slots.WaitAsync(CancellationToken.None);
            var group = new List<PendingCommit>();
            var events = new List<EventRecord>();
            var now = Stopwatch.GetTimestamp();
            while (events.Count < _options.MaxCommitBatchEvents && reader.TryRead(out var pending))
            {
                if (Stopwatch.GetElapsedTime(now, pending.Deadline) < MinCommitWindow && pending.TryAbandon())
                {
                    Finish(pending, CommitOutcome.TimedOut);
                    continue;
                }
                if (!pending.TryTake())
                {
                    Release(pending);
                    continue;
                }
                group.Add(pending);
                events.AddRange(pending.Events);
            }
            if (group.Count == 0)
            {
                _slots.Release();
                continue;
            }
            // Not awaited: the loop goes on to fill the other slots while this one commits.
            _ = CommitAndReleaseAsync(group, events);
        }
        // Every group still in flight answers its requests before the committer says it stopped.
        for (var i = 0; i < _options.MaxConcurrentCommits; i++)
        {
            await _slots.WaitAsync(CancellationToken.None);
        }
        Log.CommitterStopped(_logger);
    }

    private async Task CommitAndReleaseAsync(List<PendingCommit> group, List<EventRecord> events)
    {
        try
        {
            await CommitGroupAsync(group, events);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task CommitGroupAsync(List<PendingCommit> group, List<EventRecord> events)
    {
        var earliest = long.MaxValue;
        foreach (var p in group)
        {
            earliest = Math.Min(earliest, p.Deadline);
        }
        var started = Stopwatch.GetTimestamp();
        // Past the earliest deadline a member of the group may have abandoned, which forces a
        // rollback anyway. The server enforces the budget (statement_timeout); the token is the
        // backstop for a server that does not answer at all.
        var budget = Stopwatch.GetElapsedTime(started, earliest);
        budget = budget > TimeSpan.FromMilliseconds(10) ? budget : TimeSpan.FromMilliseconds(10);
        using var cancel = new CancellationTokenSource(budget + BackstopDelay);
        // The insert and its commit go out together, after which no request can abandon: the
        // server stops the insert a little before the earliest deadline, so its "rolled back"
        // answer normally arrives while the request still waits and it can say "nothing stored".
        var serverBudget = budget - ServerMargin > TimeSpan.FromMilliseconds(10) ? budget - ServerMargin : TimeSpan.FromMilliseconds(10);
        CommitOutcome outcome;
        try
        {
            await _write(events, () => group.TrueForAll(p => p.TryBeginCommit()), cancel.Token, serverBudget);
            outcome = CommitOutcome.Committed;
            var failures = Interlocked.Exchange(ref _consecutiveFailures, 0);
            if (failures > 0)
            {
                Log.CommitRecovered(_logger, failures);
            }
        }
        catch (Exception ex)
        {
            outcome = ex is InboxCommitException { InDoubt: true } ? CommitOutcome.InDoubt : CommitOutcome.Failed;
            if (Interlocked.Increment(ref _consecutiveFailures) == 1)
            {
                Log.CommitFailed(_logger, ex, events.Count, outcome.ToString());
            }
            _onFailure();
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _metrics.CommitBatchEvents.Record(events.Count);
        _metrics.CommitDuration.Record(elapsed, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            CommitOutcome.Committed => "committed",
            CommitOutcome.InDoubt => "in_doubt",
            _ => "failed",
        }));
        foreach (var p in group)
        {
            Finish(p, outcome);
        }
    }

    private void Finish(PendingCommit pending, CommitOutcome outcome)
    {
        pending.Completion.TrySetResult(outcome);
        Release(pending);
    }

    private void Release(PendingCommit pending) => Interlocked.Add(ref _buffered, -pending.Events.Count);
}
