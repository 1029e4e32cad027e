using Microsoft.Extensions.Logging;

namespace Eventide.Storage;

/// <summary>
/// Every log message of Eventide.Storage, with stable event ids. Each project has its own range of ids,
/// so an id names one message across the whole system: Eventide.Server 1–999, Eventide.Storage
/// 1000–1999, Eventide.Ingestion 2000–2999, Eventide.Processor 3000–3999, Eventide.Query
/// 4000–4999, Eventide.Operator 5000–5999 (this project: 1000–1999).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Applied migration {Version} ({Name}) in {Mode} mode")]
    public static partial void MigrationApplied(ILogger logger, int version, string name, StorageMode mode);

    [LoggerMessage(1002, LogLevel.Information, "Schema is at version {Version} in {Mode} mode ({Applied} migrations applied now)")]
    public static partial void SchemaReady(ILogger logger, int version, StorageMode mode, int applied);

    [LoggerMessage(1003, LogLevel.Warning, "{Message}")]
    public static partial void TimescaleUnavailable(ILogger logger, string message);

    [LoggerMessage(1004, LogLevel.Warning, "Sending the inbox wake-up for {Shards} shards failed; processors find the rows by their poll")]
    public static partial void InboxNotifyFailed(ILogger logger, Exception exception, int shards);
}
