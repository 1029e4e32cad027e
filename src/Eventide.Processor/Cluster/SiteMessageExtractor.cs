using System.Globalization;
using Akka.Cluster.Sharding;
using Eventide.Core;

namespace Eventide.Processor.Cluster;

/// <summary>
/// Maps entities onto Akka shards with the same FNV-1a function ingestion
/// uses for the inbox, so Akka shard n holds the sites of inbox shard n.
/// Besides sites, each shard holds one consumer entity,
/// <c>~consumer-n</c> (a site id cannot start with '~'), which consumes
/// inbox shard n from inside Akka shard n, so consumption moves with it.
/// </summary>
public sealed class SiteMessageExtractor(int shards) : IMessageExtractor
{
    public const string ConsumerPrefix = "~consumer-";

    public int Shards { get; } = shards > 0 ? shards : throw new ArgumentOutOfRangeException(nameof(shards), shards, "at least one shard");

    public static string ConsumerId(int shard) => ConsumerPrefix + shard.ToString(CultureInfo.InvariantCulture);

    /// <summary>The shard a consumer entity id names, or null for a site id.</summary>
    public static int? ConsumerShard(string entityId) =>
        entityId.StartsWith(ConsumerPrefix, StringComparison.Ordinal)
        && int.TryParse(entityId.AsSpan(ConsumerPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var shard)
            ? shard : null;

    public int ShardOf(string entityId) =>
        ConsumerShard(entityId) is { } shard ? shard % Shards : ShardFunction.ShardOf(entityId, Shards);

    // Akka unwraps ShardingEnvelope and StartEntity itself, through ShardId(entityId).
    public string? EntityId(object message) => message is IEntityMessage m ? m.EntityId : null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? ShardId(id) : null;

    public string ShardId(string entityId, object? messageHint = null) => ShardOf(entityId).ToString(CultureInfo.InvariantCulture);
}
