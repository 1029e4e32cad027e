using Eventide.Storage.Processing;
using Npgsql;
using NpgsqlTypes;

namespace Eventide.Ingestion.Segment;

/// <summary>
/// Writes a Segment request's rejected messages to <c>eventide.dead_letters</c> (source
/// <see cref="DeadLetterSources.Segment"/>) before the request is answered. Idempotent: an SDK
/// retries a batch with the same messages, and the unique index dead_letters_segment_once
/// (migration 0100) lets each (site, message) in once.
/// </summary>
public sealed class SegmentDeadLetterWriter(IngestionDatabase database, IngestionMetrics metrics)
{
    // The source is spliced as a literal, not sent as a parameter: ON CONFLICT can infer the
    // partial unique index dead_letters_segment_once only from a WHERE clause that states its
    // predicate (source = 'segment') in the text.
    private const string InsertSql = $"""
        INSERT INTO eventide.dead_letters (site_id, event_id, source, payload, error)
        SELECT $1, e, '{DeadLetterSources.Segment}', CASE WHEN $5 THEN to_jsonb(p) ELSE p::jsonb END, r
        FROM unnest($2::text[], $3::text[], $4::text[]) AS t(e, p, r)
        ON CONFLICT (site_id, event_id, source) WHERE source = '{DeadLetterSources.Segment}' DO NOTHING
        RETURNING event_id
        """;

    /// <summary>Commits the dead letters; returns how many were new (not written by an earlier attempt).</summary>
    public async Task<int> WriteAsync(string site, IReadOnlyList<SegmentRejection> rejected, CancellationToken cancellationToken)
    {
        HashSet<string> inserted;
        try
        {
            inserted = await InsertAsync(site, rejected, asText: false, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // A value jsonb cannot hold that the mapper did not foresee (say a number beyond
            // numeric's range): keep every message of the request as the text it was sent as.
            inserted = await InsertAsync(site, rejected, asText: true, cancellationToken);
        }
        var count = inserted.Count;
        foreach (var r in rejected)
        {
            if (inserted.Remove(r.DeadLetterId))
            {
                metrics.SegmentDeadLetters.Add(1, new KeyValuePair<string, object?>("reason", IntakeGate.ReasonTag(r.Kind)));
            }
        }
        return count;
    }

    private async Task<HashSet<string>> InsertAsync(string site, IReadOnlyList<SegmentRejection> rejected, bool asText, CancellationToken cancellationToken)
    {
        await using var cmd = database.DataSource.CreateCommand(InsertSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = site, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rejected.Select(r => r.DeadLetterId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rejected.Select(r => r.Payload).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rejected.Select(r => r.Reason).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = asText, NpgsqlDbType = NpgsqlDbType.Boolean });
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add(reader.GetString(0));
        }
        return inserted;
    }
}
