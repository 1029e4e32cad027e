using Akka.Actor;
using Akka.Event;
using Eventide.Storage.Processing;

namespace Eventide.Processor.Cluster;

// The messages of the sharded entities (site entities and shard consumers),
// all immutable. They never leave the member (an entity's shard and its
// consumer live together), except Wake, which any member sends.

/// <summary>Which of <see cref="EventIds"/> did this site store recently? Answered with <see cref="KnownIds"/>.</summary>
public sealed record CheckIds(string EntityId, IReadOnlyList<string> EventIds) : IEntityMessage;

/// <summary>The ids of a <see cref="CheckIds"/> the site saw committed within the dedupe window.</summary>
public sealed record KnownIds(string SiteId, IReadOnlyList<string> EventIds)
{
    public static KnownIds None(string siteId) => new(siteId, []);
}

/// <summary>
/// A consume transaction committed for this site: the ids it stored now enter
/// the in-memory front. Sent only after the commit, never before: a rollback
/// would otherwise leave ids in the front that were never stored, and their
/// retry would be dropped as a duplicate.
/// </summary>
public sealed record SiteCommitted(string EntityId, IReadOnlyList<string> StoredIds, int Duplicates, int DeadLettered) : IEntityMessage;

/// <summary>Asks a site entity for its counters; answered with <see cref="SiteStats"/>.</summary>
public sealed record GetSiteStats(string EntityId) : IEntityMessage;

public sealed record SiteStats(string SiteId, long Stored, long Duplicates, long DeadLettered, int RecentIds, DateTimeOffset LastActive);

/// <summary>Starts (or keeps) a shard's consumer: the keeper sends it to every shard, from every member.</summary>
public sealed record Wake(string EntityId) : IEntityMessage;

/// <summary>Rows arrived in the consumer's inbox shard: <see cref="Events"/> waiting when known (a poll), else null (a NOTIFY).</summary>
public sealed class InboxSignal(long? events)
{
    public static readonly InboxSignal Notified = new(null);

    public long? Events { get; } = events;

    /// <summary>The signal's weight in the batch window: a NOTIFY counts as one event.</summary>
    public long Weight => Events is { } n && n > 0 ? n : 1;
}

/// <summary>
/// The shard region's hand-off stop message, also the passivation stop: a site
/// stops at once; a consumer commits its in-flight batch first.
/// </summary>
public sealed class StopEntity
{
    public static readonly StopEntity Instance = new();

    private StopEntity()
    {
    }
}

/// <summary>
/// The member's site limit asks a site entity to passivate, as one of the least recently active
/// when too many are alive (<see cref="SiteEntityLimiter"/>): it does unless it was active after
/// <see cref="ActiveTicks"/>, the activity the limiter chose it by. Sent straight to the entity,
/// not through the region; it neither resets the idle timer nor is logged when the entity has
/// stopped meanwhile.
/// </summary>
internal sealed record PassivateIfIdle(long ActiveTicks) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

/// <summary>What a consumer tells its own actor after a committed batch, to forward to the sites.</summary>
internal sealed record BatchCommitted(ConsumeResult Result);
