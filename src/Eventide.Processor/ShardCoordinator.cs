using System.Collections.Concurrent;
using Eventide.Core;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor;

/// <summary>
/// Shard ownership over PostgreSQL (docs/processor.md), standing in for
/// Akka.Cluster.Sharding. Each tick the member heartbeats, reads the live
/// members, computes the rendezvous assignment every member computes, hands
/// off the shards it should no longer own (their workers commit first, then
/// the lock is released) and tries to lock the shards it should own. A shard
/// is consumed only under its session advisory lock, so it never has two
/// owners; a dead member's locks go with its session and the survivors take
/// its shards once its heartbeat is older than the timeout.
/// </summary>
public sealed class ShardCoordinator : BackgroundService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;
    private readonly ShardConsumer _consumer;
    private readonly ProcessorSettings _settings;
    private readonly ProcessorMetrics _metrics;
    private readonly ILogger<ShardCoordinator> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<int, ShardWorker> _workers = new();
    private readonly SemaphoreSlim _gate;
    private volatile IReadOnlySet<int> _owned = new HashSet<int>();
    private volatile bool _joined;
    private volatile string? _problem;

    public ShardCoordinator(
        NpgsqlDataSource dataSource, EventideOptions options, ShardConsumer consumer, ProcessorSettings settings, ProcessorMetrics metrics,
        ILogger<ShardCoordinator> logger, TimeProvider time)
    {
        _metrics = metrics;
        _dataSource = dataSource;
        _connectionString = options.Database.ConnectionString;
        _consumer = consumer;
        _settings = settings;
        _logger = logger;
        _time = time;
        _gate = new SemaphoreSlim(settings.MaxConcurrentBatches, settings.MaxConcurrentBatches);
        MemberId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    public string MemberId { get; }

    /// <summary>The shards this member holds the lock of right now: added after locking, removed before unlocking.</summary>
    public IReadOnlySet<int> OwnedShards => _owned;

    /// <summary>The shard count of the database, once joined.</summary>
    public int Shards { get; private set; }

    public bool Joined => _joined;

    /// <summary>Why the member cannot work right now (no schema, session lost), or null.</summary>
    public string? Problem => _problem;

    /// <summary>Sites with in-memory state across the owned shards (passivated ones excluded).</summary>
    public int ActiveSites => _workers.Values.Sum(w => w.Sites.Count);

    /// <summary>Wakes the worker of <paramref name="shard"/> if this member owns it.</summary>
    public void Signal(int shard, long events)
    {
        if (_workers.TryGetValue(shard, out var worker))
        {
            worker.Signal(events);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _metrics.Attach(this);
        try
        {
            await RunAsync(stoppingToken);
        }
        finally
        {
            _metrics.Detach(this);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            MemberSession? session = null;
            try
            {
                if (await new PartitionMaintenance(_dataSource).ReadSettingsAsync(stoppingToken) is not { } settings)
                {
                    Log.WaitingForSchema(_logger);
                    _problem = "waiting for the schema to be migrated";
                    await Task.Delay(backoff, _time, stoppingToken);
                    continue;
                }
                Shards = settings.Shards;
                session = await MemberSession.OpenAsync(_connectionString, MemberId, Environment.MachineName, stoppingToken);
                _joined = true;
                _problem = null;
                Log.Joined(_logger, MemberId, Shards, _settings.HeartbeatTimeout.TotalSeconds);
                backoff = TimeSpan.FromMilliseconds(500);
                await TickLoopAsync(session, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (session is not null)
                {
                    await LeaveAsync(session);
                }
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or IOException)
            {
                // The session is gone or unusable: its locks are (or will be, once
                // the connection closes) released by the server, so every worker
                // must stop at once without committing.
                _joined = false;
                _problem = $"member session lost: {ex.Message}";
                await AbortAllAsync();
                Log.SessionLost(_logger, MemberId, ex.Message, backoff.TotalSeconds);
                if (session is not null)
                {
                    await session.DisposeAsync();
                    session = null;
                }
                try
                {
                    await Task.Delay(backoff, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
            finally
            {
                if (session is not null)
                {
                    await session.DisposeAsync();
                }
            }
        }
    }

    private async Task TickLoopAsync(MemberSession session, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var members = await session.HeartbeatAsync(_settings.HeartbeatTimeout, ct);
            if (!members.Contains(MemberId))
            {
                members = [.. members, MemberId];
            }
            var desired = ShardAssignment.ShardsOf(MemberId, members, Shards);

            // Workers that found their lock gone end by themselves.
            foreach (var (shard, worker) in _workers)
            {
                if (worker.Completion.IsCompleted)
                {
                    await DropAsync(session, [shard], graceful: false, ct);
                }
            }

            var release = _owned.Where(s => !desired.Contains(s)).Order().ToArray();
            if (release.Length > 0)
            {
                await DropAsync(session, release, graceful: true, ct);
                Log.HandedOff(_logger, MemberId, Format(release));
            }

            var acquired = new List<int>();
            var waiting = false;
            foreach (var shard in desired.Where(s => !_owned.Contains(s)).Order())
            {
                if (!await session.TryLockShardAsync(shard, ct))
                {
                    // The previous owner is still committing its batch (or its
                    // session is not yet closed): try again shortly.
                    waiting = true;
                    continue;
                }
                var worker = new ShardWorker(shard, _consumer, _settings, _metrics, _gate, session.BackendPid, _logger, _time);
                _workers[shard] = worker;
                Publish(add: shard);
                worker.Signal(-1);
                acquired.Add(shard);
            }
            if (acquired.Count > 0)
            {
                Log.Acquired(_logger, MemberId, Format(acquired), members.Count);
            }
            await Task.Delay(waiting ? _settings.AcquireRetry : _settings.HeartbeatInterval, _time, ct);
        }
    }

    /// <summary>Stops the shards' workers (committing first when graceful), then unlocks them.</summary>
    private async Task DropAsync(MemberSession session, int[] shards, bool graceful, CancellationToken ct)
    {
        var stopping = new List<Task>();
        foreach (var shard in shards)
        {
            if (_workers.TryRemove(shard, out var worker))
            {
                stopping.Add(graceful ? worker.StopAsync() : worker.AbortAsync());
            }
        }
        await Task.WhenAll(stopping);
        foreach (var shard in shards)
        {
            // Unpublish before unlocking, so a report never shows a shard whose lock another member may already hold.
            Publish(remove: shard);
            await session.UnlockShardAsync(shard, ct);
        }
    }

    private async Task LeaveAsync(MemberSession session)
    {
        var shards = _owned.ToArray();
        var stopping = _workers.Values.Select(w => w.StopAsync()).ToList();
        await Task.WhenAll(stopping);
        _workers.Clear();
        _owned = new HashSet<int>();
        _joined = false;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await session.LeaveAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // Closing the session releases the locks anyway; removing the row
            // from another connection spares the others the heartbeat timeout.
            Log.SessionLost(_logger, MemberId, ex.Message, 0);
            await ForgetMemberAsync();
        }
        Log.Left(_logger, MemberId, shards.Length);
    }

    private async Task ForgetMemberAsync()
    {
        try
        {
            await using var cmd = _dataSource.CreateCommand("DELETE FROM eventide.processor_members WHERE member_id = $1");
            cmd.Parameters.AddWithValue(MemberId);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await cmd.ExecuteNonQueryAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            Log.BackgroundFailed(_logger, "leave", ex.Message);
        }
    }

    private async Task AbortAllAsync()
    {
        _owned = new HashSet<int>();
        var workers = _workers.Values.ToList();
        _workers.Clear();
        await Task.WhenAll(workers.Select(w => w.AbortAsync()));
    }

    private void Publish(int? add = null, int? remove = null)
    {
        var next = new HashSet<int>(_owned);
        if (add is { } a)
        {
            next.Add(a);
        }
        if (remove is { } r)
        {
            next.Remove(r);
        }
        _owned = next;
    }

    private static string Format(IEnumerable<int> shards) => string.Join(',', shards);
}
