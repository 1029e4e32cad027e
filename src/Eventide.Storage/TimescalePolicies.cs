using Eventide.Core;
using Npgsql;

namespace Eventide.Storage;

/// <summary>
/// Compression, retention and refresh policies from the configured horizons.
/// Re-applied on every migrate (remove, then add) so a changed horizon takes effect.
/// </summary>
public static class TimescalePolicies
{
    public static async Task ApplyAsync(NpgsqlConnection conn, RetentionOptions retention, CancellationToken ct)
    {
        var refresh = $"INTERVAL '{retention.AggregateRefreshDays} days'";
        var sql = $"""
            SELECT remove_retention_policy('eventide.events', if_exists => true);
            SELECT add_retention_policy('eventide.events', INTERVAL '{retention.Days} days');
            SELECT remove_compression_policy('eventide.events', if_exists => true);
            SELECT add_compression_policy('eventide.events', INTERVAL '{retention.CompressAfterDays} days');
            SELECT remove_continuous_aggregate_policy('eventide.events_1m', if_exists => true);
            SELECT add_continuous_aggregate_policy('eventide.events_1m',
                start_offset => {refresh}, end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute');
            SELECT remove_continuous_aggregate_policy('eventide.events_1h', if_exists => true);
            SELECT add_continuous_aggregate_policy('eventide.events_1h',
                start_offset => {refresh}, end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '10 minutes');
            SELECT remove_continuous_aggregate_policy('eventide.events_1d', if_exists => true);
            SELECT add_continuous_aggregate_policy('eventide.events_1d',
                start_offset => {refresh}, end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour');
            SELECT remove_continuous_aggregate_policy('eventide.users_1h', if_exists => true);
            SELECT add_continuous_aggregate_policy('eventide.users_1h',
                start_offset => {refresh}, end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '10 minutes');
            SELECT remove_continuous_aggregate_policy('eventide.users_1d', if_exists => true);
            SELECT add_continuous_aggregate_policy('eventide.users_1d',
                start_offset => {refresh}, end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour');
            SELECT remove_continuous_aggregate_policy('eventide.name_users_1d', if_exists => true);
            SELECT add_continuous_aggregate_policy('eventide.name_users_1d',
                start_offset => {refresh}, end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour');
            """;
        await Migrator.ExecAsync(conn, sql, ct);
    }
}
