using Microsoft.Extensions.Logging;

namespace Eventide.Storage;

internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Applied migration {Version} ({Name}) in {Mode} mode")]
    public static partial void MigrationApplied(ILogger logger, int version, string name, StorageMode mode);

    [LoggerMessage(1002, LogLevel.Information, "Schema is at version {Version} in {Mode} mode ({Applied} migrations applied now)")]
    public static partial void SchemaReady(ILogger logger, int version, StorageMode mode, int applied);

    [LoggerMessage(1003, LogLevel.Warning, "{Message}")]
    public static partial void TimescaleUnavailable(ILogger logger, string message);
}
