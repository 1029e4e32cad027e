using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Storage.Inbox;

/// <summary>
/// Sends the inbox's wake-up NOTIFY (<see cref="InboxWriter.NotifyChannel"/>, comma-separated shard
/// numbers) after a commit rather than inside it, coalescing the shards of every commit that
/// ends while a send is under way into the next one.
/// <para>
/// Why not in the commit's transaction: PostgreSQL serializes every transaction that has
/// issued NOTIFY with one database-wide lock held from just before its commit record until
/// after the commit's WAL flush (async.c, PreCommit_Notify). Group commits that NOTIFY
/// therefore commit one fsync at a time, whatever their number, and each waits behind the
/// flush of everything other sessions wrote before it. Sent afterwards, with
/// synchronous_commit off (a wake-up needs no durability: the rows it announces already have
/// it), the lock is held for microseconds and the commits' own fsyncs merge.
/// </para>
/// <para>
/// A notification still never announces rows that are not there: it is sent after their commit.
/// One that is lost (the connection fails, the process dies between commit and send) only delays
/// consumption until the processors' next poll of the inbox counts, which they run anyway for
/// notifications sent while they were not listening.
/// </para>
/// </summary>
public sealed class InboxNotifier(NpgsqlDataSource dataSource, ILogger? logger = null)
{
    /// <summary>NOTIFY payloads must stay under 8000 bytes; the shard list is split below that.</summary>
    private const int MaxPayloadChars = 7900;

    private readonly Lock _gate = new();
    private readonly HashSet<int> _pending = [];
    private Task _pump = Task.CompletedTask;
    private bool _sending;
    private bool _failing;

    /// <summary>Notifies <paramref name="shards"/> soon, together with any other shards posted meanwhile. Never blocks, never throws.</summary>
    public void Post(IEnumerable<int> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        lock (_gate)
        {
            _pending.UnionWith(shards);
            if (_sending || _pending.Count == 0)
            {
                return;
            }
            _sending = true;
            _pump = Task.Run(PumpAsync);
        }
    }

    /// <summary>Completes once everything posted so far has been sent (or failed to be).</summary>
    public Task IdleAsync()
    {
        lock (_gate)
        {
            return _pump;
        }
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            int[] shards;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _sending = false;
                    return;
                }
                shards = [.. _pending];
                _pending.Clear();
            }
            Array.Sort(shards);
            try
            {
                await SendAsync(shards);
                _failing = false;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                // The processors' poll finds the rows; one line per outage, not per commit.
                if (!_failing && logger is not null)
                {
                    Log.InboxNotifyFailed(logger, ex, shards.Length);
                }
                _failing = true;
            }
        }
    }

    private async Task SendAsync(int[] shards)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await using var conn = await dataSource.OpenConnectionAsync(timeout.Token);
        await using var tx = await conn.BeginTransactionAsync(timeout.Token);
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'off', true)"));
        foreach (var payload in Payloads(shards))
        {
            var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
            notify.Parameters.Add(new NpgsqlParameter { Value = InboxWriter.NotifyChannel });
            notify.Parameters.Add(new NpgsqlParameter { Value = payload });
            batch.BatchCommands.Add(notify);
        }
        await batch.ExecuteNonQueryAsync(timeout.Token);
        await tx.CommitAsync(timeout.Token);
    }

    /// <summary>The shard numbers as comma-separated lists, each short enough for one NOTIFY.</summary>
    internal static List<string> Payloads(IReadOnlyList<int> shards)
    {
        var payloads = new List<string>();
        var sb = new StringBuilder();
        foreach (var shard in shards)
        {
            var text = shard.ToString(CultureInfo.InvariantCulture);
            if (sb.Length > 0 && sb.Length + 1 + text.Length > MaxPayloadChars)
            {
                payloads.Add(sb.ToString());
                sb.Clear();
            }
            if (sb.Length > 0)
            {
                sb.Append(',');
            }
            sb.Append(text);
        }
        if (sb.Length > 0)
        {
            payloads.Add(sb.ToString());
        }
        return payloads;
    }
}
