using Eventide.Storage.Inbox;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor.Cluster;

/// <summary>
/// Wakes the shard consumers on this member: LISTEN on <c>eventide_inbox</c> (ingestion NOTIFYs
/// the shard numbers of each commit, so at light load a batch starts within
/// the flush interval) plus a fallback poll of the owned shards' inbox
/// counts, which also tells the batcher how many events are waiting.
/// </summary>
public sealed class InboxListener(
    InboxNotifications notifications, LocalShards local, LagStore lag, ProcessorSettings settings, ILogger<InboxListener> logger, TimeProvider time)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), PollAsync(stoppingToken));

    private async Task ListenAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Rows committed while not listening are found by the next poll.
                await notifications.ListenAsync(Dispatch, () => backoff = TimeSpan.FromMilliseconds(200), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
            {
                Log.ListenerFailed(logger, ex, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private void Dispatch(string payload)
    {
        // fast path: parse the comma-separated shard numbers without splitting into strings.
        var span = payload.AsSpan();
        foreach (var range in span.Split(','))
        {
            if (int.TryParse(span[range], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var shard))
            {
                local.Signal(shard, InboxSignal.Notified);
            }
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.PollInterval, time, ct);
                var owned = local.Shards;
                if (owned.Count == 0)
                {
                    continue;
                }
                foreach (var shard in await lag.ReadAsync([.. owned], ct))
                {
                    local.Signal(shard.Shard, new InboxSignal(shard.Events));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                Log.BackgroundFailed(logger, ex, "inbox poll");
            }
        }
    }
}
