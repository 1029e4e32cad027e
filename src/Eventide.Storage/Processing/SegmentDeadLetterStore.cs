using Npgsql;
using NpgsqlTypes;

namespace Eventide.Storage.Processing;

/// <summary>
/// Writes Segment messages rejected at intake to <c>eventide.dead_letters</c> (source
/// <see cref="DeadLetterSources.Segment"/>). Idempotent: an SDK retries a batch with the same
/// messages, and the unique index dead_letters_segment_once (migration 0100) lets each
/// (site, message) in once.
/// </summary>
public sealed class SegmentDeadLetterStore(NpgsqlDataSource dataSource)
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

    /// <summary>Commits the dead letters in one statement; returns the ids that were new (not written by an earlier attempt).</summary>
    /// <param name="site">The site the request was for.</param>
    /// <param name="ids">Each dead letter's event_id.</param>
    /// <param name="payloads">Each message's JSON text, at the same index as its id.</param>
    /// <param name="reasons">Why each message was rejected, at the same index as its id.</param>
    /// <param name="cancellationToken">Cancels the statement; nothing is committed then.</param>
    public async Task<HashSet<string>> WriteAsync(string site, string[] ids, string[] payloads, string[] reasons, CancellationToken cancellationToken)
    {
        try
        {
            return await InsertAsync(site, ids, payloads, reasons, asText: false, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // A value jsonb cannot hold that the mapper did not foresee (say a number beyond
            // numeric's range): keep every message of the request as the text it was sent as.
            return await InsertAsync(site, ids, payloads, reasons, asText: true, cancellationToken);
        }
    }

    private async Task<HashSet<string>> InsertAsync(string site, string[] ids, string[] payloads, string[] reasons, bool asText, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(InsertSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = site, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = reasons, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
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
