namespace Eventide.Server;

/// <summary>
/// Every log message of the eventide binary (CLI and hosting), with stable event ids. Each project has its own range of ids,
/// so an id names one message across the whole system: Eventide.Server 1–999, Eventide.Storage
/// 1000–1999, Eventide.Ingestion 2000–2999, Eventide.Processor 3000–3999, Eventide.Query
/// 4000–4999, Eventide.Operator 5000–5999 (this project: 1–999).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Started roles {Roles} on {Urls}")]
    public static partial void Started(ILogger logger, string roles, string urls);

    [LoggerMessage(2, LogLevel.Information, "Storage is in {Mode} mode, schema version {Version}, {Shards} shards")]
    public static partial void StorageMode(ILogger logger, string mode, int version, int shards);

    // A refusal is an expected outcome whose message says what to set; a stack would only hide it.
    [LoggerMessage(3, LogLevel.Critical, "Migration refused: {Reason}")]
    public static partial void MigrationRefused(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Database was unavailable; retrying in {Seconds} s")]
    public static partial void DatabaseUnavailable(ILogger logger, Exception exception, double seconds);
}
