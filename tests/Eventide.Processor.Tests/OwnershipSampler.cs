using System.Diagnostics;
using Npgsql;

namespace Eventide.Processor.Tests;

/// <summary>
/// Watches shard ownership while processors join and leave: samples the
/// granted advisory locks in pg_locks and the members' own ownership reports
/// as fast as it can, and records every double ownership it sees and the
/// longest time a shard that had an owner was without one.
/// </summary>
internal sealed class OwnershipSampler(Npgsql.NpgsqlDataSource dataSource, int shards, Func<IReadOnlyList<ShardCoordinator>> members) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _conflicts = [];
    private readonly TimeSpan?[] _unownedSince = new TimeSpan?[shards];
    private readonly bool[] _everOwned = new bool[shards];
    private Task? _loop;

    public IReadOnlyList<string> Conflicts => _conflicts;

    public int Samples { get; private set; }

    /// <summary>The longest gap during which a shard, once owned, had no lock holder.</summary>
    public TimeSpan MaxUnownedGap { get; private set; }

    public void Start() => _loop = Task.Run(RunAsync);

    public async Task<OwnershipSampler> StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        return this;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        await using var conn = await dataSource.OpenConnectionAsync();
        while (!_stop.IsCancellationRequested)
        {
            var locks = await Db.ShardLocksAsync(conn);
            var now = clock.Elapsed;
            for (var shard = 0; shard < shards; shard++)
            {
                var holders = locks.GetValueOrDefault(shard)?.Distinct().Count() ?? 0;
                if (holders > 1)
                {
                    _conflicts.Add($"{now.TotalSeconds:F3}s: shard {shard} locked by {holders} sessions");
                }
                if (holders > 0)
                {
                    if (_unownedSince[shard] is { } since && now - since > MaxUnownedGap)
                    {
                        MaxUnownedGap = now - since;
                    }
                    _unownedSince[shard] = null;
                    _everOwned[shard] = true;
                }
                else if (_everOwned[shard])
                {
                    _unownedSince[shard] ??= now;
                }
            }

            // Reports are read twice; a shard in two members' reports in both
            // passes was owned by both across the middle read, since a member
            // reports a shard only while it holds the lock.
            var list = members();
            var first = list.Select(m => m.OwnedShards).ToList();
            var second = list.Select(m => m.OwnedShards).ToList();
            for (var shard = 0; shard < shards; shard++)
            {
                var both = Enumerable.Range(0, list.Count).Where(i => first[i].Contains(shard) && second[i].Contains(shard)).ToList();
                if (both.Count > 1)
                {
                    _conflicts.Add($"{now.TotalSeconds:F3}s: shard {shard} reported by {string.Join(", ", both.Select(i => list[i].MemberId))}");
                }
            }
            Samples++;
            // A sampling period, not a synchronization: as often as the database answers, with room for the processors.
            await Task.Delay(2);
        }
        foreach (var since in _unownedSince)
        {
            if (since is { } s && clock.Elapsed - s > MaxUnownedGap)
            {
                MaxUnownedGap = clock.Elapsed - s;
            }
        }
    }
}
