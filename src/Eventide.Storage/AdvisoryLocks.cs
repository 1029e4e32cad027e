namespace Eventide.Storage;

/// <summary>
/// Every PostgreSQL advisory lock Eventide takes, listed together so that a new one cannot
/// collide with an old one. The one-key (bigint) locks are ASCII words; the two-key (int, int)
/// locks (a shard's consumers, a (site, day) of property days) have their class here and the object as the second key. PostgreSQL
/// keeps one-key and two-key locks apart, so the two kinds never collide with each other.
/// Migration 0001's <c>ensure_daily_partitions</c> also takes the one-key lock
/// <c>hashtext('eventide.partitions')</c> (SQL cannot name these constants): concurrent
/// <c>CREATE TABLE … PARTITION OF</c> of the same day would race.
/// </summary>
public static class AdvisoryLocks
{
    /// <summary>Session lock that serializes concurrent migrations ("eventide" in ASCII).</summary>
    public const long Migration = 0x6576656e74696465;

    /// <summary>Transaction lock that serializes inbox rotation across ingestion replicas ("evinbox" in ASCII).</summary>
    public const long InboxRotation = 0x657669_6e626f78;

    /// <summary>Transaction lock that serializes retention across processors, whose concurrent drops of one partition would fail ("evtidrop" in ASCII).</summary>
    public const long Retention = 0x6576746964726f70;

    /// <summary>Transaction lock of the plain-mode aggregate refresher, also taken by retention before it drops materialized rows ("eviaggr" in ASCII).</summary>
    public const long AggregateRefresh = 0x657669_61676772;

    /// <summary>Transaction lock of the property-day materializer, also taken by retention before it drops property days ("evipdays" in ASCII).</summary>
    public const long PropertyDays = 0x6576697064617973;

    /// <summary>First key of the two-key transaction lock on a shard ("EVPR"); the second key is the shard.</summary>
    public const int ShardConsumers = 0x45565052;

    /// <summary>
    /// First key of the two-key transaction lock on one (site, day) of property days ("EVPD");
    /// the second key is <c>eventide.property_day_lock_key(site, day)</c>. Exclusive in the
    /// materializer, shared in storing transactions with late events (migration 0160, whose SQL
    /// spells this constant as 1163284548).
    /// </summary>
    public const int PropertyDay = 0x45565044;
}
