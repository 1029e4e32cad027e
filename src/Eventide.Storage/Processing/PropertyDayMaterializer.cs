using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>
/// Plain mode's property-day aggregate (migration 0160): materializes closed (site, day)s that
/// are not registered yet, one (site, day) per transaction, so property breakdowns read a few
/// hundred rows per day instead of every event. A day is closed once it ended more than
/// <see cref="ClockSkew"/> ago. A day a late event un-registered (see
/// <see cref="ShardConsumer"/>) is a candidate again and is recomputed in a later round.
/// </summary>
/// <param name="dataSource">The database.</param>
/// <param name="maxValues">A key with more distinct values in a day is read raw for that day.</param>
/// <param name="maxLength">A key with a longer value (characters) in a day is read raw for that day.</param>
/// <param name="maxKeys">Only the keys on most events, at most this many, are materialized per day.</param>
public sealed class PropertyDayMaterializer(NpgsqlDataSource dataSource, int maxValues = 1000, int maxLength = 200, int maxKeys = 64)
{
    /// <summary>
    /// How long after its end a day becomes a candidate. Storing transactions decide by their
    /// own clock which events are late (older than the current UTC day) and un-register those
    /// days; a processor clock up to this far behind the database's still counts every event of
    /// a materialized day as late.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromHours(1);

    /// <summary>
    /// One round: materializes at most <paramref name="maxDays"/> candidate (site, day)s, the most
    /// recent first (the ones dashboards ask for). Returns how many, or null when another
    /// materializer holds the lock.
    /// </summary>
    public async Task<int?> MaterializeOnceAsync(int maxDays, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDays, 1);
        var candidates = new List<(string Site, DateTimeOffset Day)>();
        // Days with events: events_1d_mat holds every materialized day, aggregate_dirty the days
        // whose hours still wait for the refresher (plain mode's tables; both small next to events).
        await using (var cmd = dataSource.CreateCommand("""
            SELECT c.site_id, c.day FROM (
                SELECT site_id, bucket AS day FROM eventide.events_1d_mat WHERE bucket <= now() - INTERVAL '1 day' - $1
                UNION
                SELECT site_id, date_bin(INTERVAL '1 day', hour, TIMESTAMPTZ '2000-01-01 00:00:00+00') FROM eventide.aggregate_dirty
                WHERE hour <= now() - INTERVAL '1 day' - $1) c
            WHERE NOT EXISTS (SELECT 1 FROM eventide.property_day_state p WHERE p.site_id = c.site_id AND p.day = c.day)
            ORDER BY c.day DESC, c.site_id COLLATE "C" LIMIT $2
            """))
        {
            cmd.Parameters.AddWithValue(ClockSkew);
            cmd.Parameters.AddWithValue(maxDays);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                candidates.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
            }
        }
        foreach (var (site, day) in candidates)
        {
            if (!await MaterializeAsync(site, day, cancellationToken))
            {
                return null;
            }
        }
        return candidates.Count;
    }

    /// <summary>
    /// Rounds until no candidate is left (for bulk loads: the bench, tests). While another
    /// materializer (a processor's job) holds the lock it waits its turn, as
    /// <see cref="AggregateRefresher.RefreshAllAsync"/> does, instead of returning with days left.
    /// </summary>
    public async Task MaterializeAllAsync(CancellationToken cancellationToken)
    {
        int? done;
        do
        {
            done = await MaterializeOnceAsync(64, cancellationToken);
            if (done is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
        while (done is null or > 0);
    }

    /// <summary>Registered (site, day)s, for tests and operators.</summary>
    public async Task<long> MaterializedAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM eventide.property_day_state");
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// One (site, day) in one transaction, under the materializer's lock (which retention also
    /// takes, so no day is written after retention dropped it). False when another holds it.
    /// </summary>
    private async Task<bool> MaterializeAsync(string site, DateTimeOffset day, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({AdvisoryLocks.PropertyDays})", conn, tx))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }
        await using (var cmd = new NpgsqlCommand("SELECT eventide.materialize_property_day($1, $2, $3, $4, $5)", conn, tx))
        {
            cmd.CommandTimeout = 600;
            cmd.Parameters.AddWithValue(site);
            cmd.Parameters.AddWithValue(day);
            cmd.Parameters.AddWithValue(maxValues);
            cmd.Parameters.AddWithValue(maxLength);
            cmd.Parameters.AddWithValue(maxKeys);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}
