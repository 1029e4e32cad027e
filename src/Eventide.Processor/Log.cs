using Microsoft.Extensions.Logging;

namespace Eventide.Processor;

/// <summary>
/// Every log message of the processor role, with stable event ids. Each project has its own range of ids,
/// so an id names one message across the whole system: Eventide.Server 1–999, Eventide.Storage
/// 1000–1999, Eventide.Ingestion 2000–2999, Eventide.Processor 3000–3999, Eventide.Query
/// 4000–4999, Eventide.Operator 5000–5999 (this project: 3000–3999).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Processor member {Address} started sharding over {Shards} shards")]
    public static partial void Joined(ILogger logger, string address, int shards);

    [LoggerMessage(3002, LogLevel.Information, "Shard {Shard} started consuming on this member")]
    public static partial void ShardStarted(ILogger logger, int shard);

    [LoggerMessage(3003, LogLevel.Information, "Shard {Shard} was handed off after committing its in-flight batch ({Seconds} s)")]
    public static partial void ShardHandedOff(ILogger logger, int shard, double seconds);

    [LoggerMessage(3004, LogLevel.Warning, "Shard {Shard} consumer stream failed; the keeper starts it again")]
    public static partial void ConsumerFailed(ILogger logger, Exception exception, int shard);

    [LoggerMessage(3006, LogLevel.Information, "Processor waited for the schema to be migrated")]
    public static partial void WaitingForSchema(ILogger logger);

    [LoggerMessage(3007, LogLevel.Warning, "Shard {Shard} batch failed; retrying in {Seconds} s")]
    public static partial void BatchFailed(ILogger logger, Exception exception, int shard, double seconds);

    [LoggerMessage(3009, LogLevel.Warning, "Shard {Shard} dead-lettered {Count} events: {Error}")]
    public static partial void DeadLettered(ILogger logger, int shard, int count, string error);

    [LoggerMessage(3010, LogLevel.Warning, "Inbox listener lost its connection; reconnecting in {Seconds} s")]
    public static partial void ListenerFailed(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(3011, LogLevel.Information, "Retention dropped {Count} daily partitions of {Table} before {Cutoff}")]
    public static partial void PartitionsDropped(ILogger logger, int count, string table, DateTimeOffset cutoff);

    [LoggerMessage(3012, LogLevel.Warning, "Background task {Task} failed; retrying later")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception, string task);

    [LoggerMessage(3014, LogLevel.Information, "Processor member {Address} was up {Seconds} s after its process started")]
    public static partial void MemberUp(ILogger logger, string address, double seconds);

    [LoggerMessage(3015, LogLevel.Warning, "Refused cluster peer {Peer}: {Reason}")]
    public static partial void PeerRefused(ILogger logger, string peer, string reason);

    [LoggerMessage(3013, LogLevel.Information, "Replayed {Replayed} dead letters; {Failed} are still invalid")]
    public static partial void Replayed(ILogger logger, int replayed, int failed);
}
