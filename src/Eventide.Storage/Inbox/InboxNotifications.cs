using Npgsql;

namespace Eventide.Storage.Inbox;

/// <summary>
/// The inbox's wake-up channel: <see cref="InboxWriter"/> NOTIFYs <see cref="InboxWriter.NotifyChannel"/>
/// with the shard numbers of each commit, in the commit's transaction, so a notification arrives
/// only for rows that are there to claim.
/// </summary>
public sealed class InboxNotifications(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// LISTENs on one connection of its own and hands each notification's payload (comma-separated
    /// shard numbers) to <paramref name="onPayload"/> until cancelled. A broken connection ends
    /// the call with its exception; notifications sent while not listening are lost, so the
    /// caller must find such rows another way (the processor polls the inbox counts).
    /// </summary>
    /// <param name="onPayload">Called on Npgsql's reading thread; must not block.</param>
    /// <param name="onListening">Called once LISTEN has taken effect.</param>
    /// <param name="cancellationToken">Ends the wait; the call then throws <see cref="OperationCanceledException"/>.</param>
    public async Task ListenAsync(Action<string> onPayload, Action onListening, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        conn.Notification += (_, e) => onPayload(e.Payload);
        await using (var cmd = new NpgsqlCommand($"LISTEN {InboxWriter.NotifyChannel}", conn))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        onListening();
        while (true)
        {
            await conn.WaitAsync(cancellationToken);
        }
    }
}
