using Microsoft.Extensions.Logging;

namespace Eventide.Processor;

internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Processor member {Member} joined ({Shards} shards, heartbeat timeout {TimeoutSeconds} s)")]
    public static partial void Joined(ILogger logger, string member, int shards, double timeoutSeconds);

    [LoggerMessage(3002, LogLevel.Information, "Processor member {Member} left; released {Count} shards")]
    public static partial void Left(ILogger logger, string member, int count);

    [LoggerMessage(3003, LogLevel.Information, "Member {Member} acquired shards {Shards} ({Members} live members)")]
    public static partial void Acquired(ILogger logger, string member, string shards, int members);

    [LoggerMessage(3004, LogLevel.Information, "Member {Member} handed off shards {Shards} after committing their in-flight batches")]
    public static partial void HandedOff(ILogger logger, string member, string shards);

    [LoggerMessage(3005, LogLevel.Warning, "Member {Member} lost its session ({Reason}); its shards were dropped and it rejoins in {Seconds} s")]
    public static partial void SessionLost(ILogger logger, string member, string reason, double seconds);

    [LoggerMessage(3006, LogLevel.Information, "Processor waited for the schema to be migrated")]
    public static partial void WaitingForSchema(ILogger logger);

    [LoggerMessage(3007, LogLevel.Warning, "Shard {Shard} batch failed ({Reason}); retrying in {Seconds} s")]
    public static partial void BatchFailed(ILogger logger, int shard, string reason, double seconds);

    [LoggerMessage(3008, LogLevel.Warning, "Shard {Shard} was lost: its lock is no longer held by this member")]
    public static partial void ShardLost(ILogger logger, int shard);

    [LoggerMessage(3009, LogLevel.Warning, "Shard {Shard} dead-lettered {Count} events: {Error}")]
    public static partial void DeadLettered(ILogger logger, int shard, int count, string error);

    [LoggerMessage(3010, LogLevel.Warning, "Inbox listener lost its connection ({Reason}); reconnecting in {Seconds} s")]
    public static partial void ListenerFailed(ILogger logger, string reason, double seconds);

    [LoggerMessage(3011, LogLevel.Information, "Retention dropped {Count} daily partitions of {Table} before {Cutoff}")]
    public static partial void PartitionsDropped(ILogger logger, int count, string table, DateTimeOffset cutoff);

    [LoggerMessage(3012, LogLevel.Warning, "Background task {Task} failed ({Reason}); retrying later")]
    public static partial void BackgroundFailed(ILogger logger, string task, string reason);

    [LoggerMessage(3013, LogLevel.Information, "Replayed {Replayed} dead letters; {Failed} are still invalid")]
    public static partial void Replayed(ILogger logger, int replayed, int failed);
}
