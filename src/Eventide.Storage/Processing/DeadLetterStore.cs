using Eventide.Core;
using Eventide.Storage.Inbox;
using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>Lists dead letters and replays them through the inbox, so replayed events take the normal path (and its dedupe).</summary>
public sealed class DeadLetterStore(NpgsqlDataSource dataSource, TimeProvider? time = null)
{
    public const int MaxPage = 1000;

    /// <summary>
    /// The one source whose payloads are events that failed to store, and so can be replayed.
    /// Other sources (messages rejected at intake, such as <see cref="DeadLetterSources.Segment"/>) are kept for inspection:
    /// the sender has to fix and resend them, and a replay leaves their reason as it is.
    /// </summary>
    public const string ReplayableSource = DeadLetterSources.Processor;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Newest first; <paramref name="beforeId"/> pages backwards.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit, long? beforeId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT id, site_id, event_id, source, payload::text, error, failed_at, replayed_at
            FROM eventide.dead_letters WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2
            """);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Bigint, (object?)beforeId ?? DBNull.Value);
        cmd.Parameters.AddWithValue(Math.Clamp(limit, 1, MaxPage));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new DeadLetter(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)));
        }
        return list;
    }

    /// <summary>
    /// Re-validates the given dead letters (or, with no ids, up to
    /// <see cref="MaxPage"/> not yet replayed ones) and re-enqueues the valid
    /// ones into the inbox in one transaction, marking them replayed. An
    /// invalid one keeps its row with the new error.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(IReadOnlyList<long>? ids, int shards, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var rows = new List<(long Id, string Source, string Payload)>();
        await using (var select = new NpgsqlCommand(ids is null
            ? "SELECT id, source, payload::text FROM eventide.dead_letters WHERE replayed_at IS NULL AND source = $2 ORDER BY id LIMIT $1 FOR UPDATE"
            : "SELECT id, source, payload::text FROM eventide.dead_letters WHERE id = ANY($1) ORDER BY id FOR UPDATE", conn, tx))
        {
            select.Parameters.Add(ids is null ? new NpgsqlParameter { Value = MaxPage } : new NpgsqlParameter { Value = ids.ToArray() });
            if (ids is null)
            {
                select.Parameters.Add(new NpgsqlParameter { Value = ReplayableSource });
            }
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var now = _time.GetUtcNow();
        var valid = new List<(long Id, EventRecord Event)>();
        var failed = new List<ReplayFailure>();
        var notReplayable = new List<ReplayFailure>();
        foreach (var (id, source, payload) in rows)
        {
            if (source != ReplayableSource)
            {
                notReplayable.Add(new ReplayFailure(id,
                    $"a dead letter from '{source}' was rejected at intake and cannot be replayed: fix the sender and send it again"));
            }
            else if (DeadLetterPayload.TryParse(payload, now, out var error) is { } e)
            {
                valid.Add((id, e));
            }
            else
            {
                failed.Add(new ReplayFailure(id, error!));
            }
        }

        if (valid.Count > 0)
        {
            // Replayed events re-enter the inbox now: lag counts from the replay, not the first receipt.
            await InboxWriter.AppendAsync(conn, tx, [.. valid.Select(v => v.Event)], shards, now, cancellationToken);
            await using var mark = new NpgsqlCommand(
                "UPDATE eventide.dead_letters SET replayed_at = now() WHERE id = ANY($1)", conn, tx);
            mark.Parameters.AddWithValue(valid.Select(v => v.Id).ToArray());
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        if (failed.Count > 0)
        {
            await using var update = new NpgsqlCommand("""
                UPDATE eventide.dead_letters d SET error = x.error
                FROM unnest($1::bigint[], $2::text[]) AS x(id, error) WHERE d.id = x.id
                """, conn, tx);
            update.Parameters.AddWithValue(failed.Select(f => f.Id).ToArray());
            update.Parameters.AddWithValue(failed.Select(f => f.Error).ToArray());
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        long remaining;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM eventide.dead_letters WHERE replayed_at IS NULL AND source = $1", conn, tx))
        {
            count.Parameters.AddWithValue(ReplayableSource);
            remaining = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }
        await tx.CommitAsync(cancellationToken);
        return new ReplayResult([.. valid.Select(v => v.Id)], [.. failed, .. notReplayable], remaining);
    }
}
