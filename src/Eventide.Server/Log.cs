namespace Eventide.Server;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Started roles {Roles} on {Urls}")]
    public static partial void Started(ILogger logger, string roles, string urls);

    [LoggerMessage(2, LogLevel.Information, "Storage is in {Mode} mode, schema version {Version}, {Shards} shards")]
    public static partial void StorageMode(ILogger logger, string mode, int version, int shards);

    [LoggerMessage(3, LogLevel.Critical, "Migration refused: {Reason}")]
    public static partial void MigrationRefused(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Database was unavailable ({Reason}); retrying in {Seconds} s")]
    public static partial void DatabaseUnavailable(ILogger logger, string reason, double seconds);
}
