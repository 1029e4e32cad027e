using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>Daily partitions of events (plain mode) and event_ids: creation ahead of use and retention.</summary>
public sealed class PartitionMaintenance(NpgsqlDataSource dataSource)
{
    public async Task EnsureAsync(string parent, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(parent == "events"
            ? "SELECT eventide.ensure_events_partitions($1, $2)"
            : "SELECT eventide.ensure_daily_partitions($3, $1, $2)");
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(to);
        if (parent != "events")
        {
            cmd.Parameters.AddWithValue(parent);
        }
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Drops daily partitions of <paramref name="parent"/> that end before the
    /// cutoff; returns how many, or null when another processor is doing it now.
    /// </summary>
    public async Task<int?> DropBeforeAsync(string parent, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({AdvisoryLocks.Retention})", conn, tx))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(cancellationToken))!)
            {
                return null;
            }
        }
        if (parent == "events")
        {
            // Plain mode's materialized aggregates go with the events they count, in the same
            // commit, and under the refresher's lock: a refresh running meanwhile could otherwise
            // write rows for a day this drops, after this deleted that day's rows.
            // The same for the property days (migration 0160) and their materializer.
            await using var refresherLock = new NpgsqlCommand(
                $"SELECT pg_advisory_xact_lock({AdvisoryLocks.AggregateRefresh}), pg_advisory_xact_lock({AdvisoryLocks.PropertyDays})", conn, tx);
            await refresherLock.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var cmd = new NpgsqlCommand("SELECT eventide.drop_daily_partitions_before($1, $2)", conn, tx);
        cmd.Parameters.AddWithValue(parent);
        cmd.Parameters.AddWithValue(cutoff);
        var dropped = (int)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        if (parent == "events")
        {
            await using var aggregates = new NpgsqlCommand("SELECT eventide.drop_aggregates_before($1), eventide.drop_property_days_before($1)", conn, tx);
            aggregates.Parameters.AddWithValue(cutoff);
            await aggregates.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return dropped;
    }

    /// <summary>The storage mode and shard count fixed at creation, or null before the schema exists.</summary>
    public async Task<(StorageMode Mode, int Shards)?> ReadModeAndShardsAsync(CancellationToken cancellationToken) =>
        await Migrator.ReadStatusAsync(dataSource, cancellationToken) is { } status ? (status.Mode, status.Shards) : null;
}
