using Eventide.Core;
using Npgsql;

namespace Eventide.Storage;

/// <summary>Ready when the database answers and its schema is at this build's latest version.</summary>
public sealed class DatabaseReadinessCheck(NpgsqlDataSource dataSource) : IReadinessCheck
{
    public string Name => "database";

    public async Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var status = await Migrator.ReadStatusAsync(dataSource, cancellationToken);
            if (status is null)
            {
                return new ReadinessResult(false, "schema not migrated (run `eventide migrate`)");
            }
            var latest = MigrationCatalog.LatestVersion(status.Mode);
            var mode = status.Mode.ToString().ToLowerInvariant();
            return status.Version == latest
                ? new ReadinessResult(true, $"mode={mode} schema={status.Version} shards={status.Shards}")
                : new ReadinessResult(false, $"mode={mode} schema={status.Version}, this build needs {latest}");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return new ReadinessResult(false, $"database unreachable: {ex.Message}");
        }
    }
}
