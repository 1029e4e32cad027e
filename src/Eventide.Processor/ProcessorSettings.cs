using Eventide.Core;
using Eventide.Processor.Cluster;

namespace Eventide.Processor;

/// <summary>
/// The processor's knobs: those from <see cref="ProcessorOptions"/> (config
/// keys <c>Eventide:Processor:*</c>) and internal ones with fixed defaults.
/// </summary>
public sealed record ProcessorSettings
{
    public BatchPolicy Batch { get; init; } = new(5000, TimeSpan.FromMilliseconds(200));

    public TimeSpan DedupeWindow { get; init; } = TimeSpan.FromHours(24);

    public TimeSpan SitePassivation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The most site entities alive on this member, 0 for no limit (see <see cref="SiteEntityLimiter"/>).</summary>
    public int MaxActiveSites { get; init; } = 10_000;

    /// <summary>How often the site limit is checked.</summary>
    public TimeSpan SiteLimitInterval { get; init; } = TimeSpan.FromSeconds(1);

    public int RetentionDays { get; init; } = 400;

    /// <summary>The fallback when a NOTIFY is missed (listener reconnecting, or an inbox writer that does not notify).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Back-pressure: at most this many batches (each at most the batch size)
    /// are in flight per member (database transactions), whatever the number of shards it holds.
    /// </summary>
    public int MaxConcurrentBatches { get; init; } = 4;

    /// <summary>How often the keeper touches every shard's consumer, so a shard without a holder starts again at once.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan LagRefresh { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetentionInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Plain mode: the refresher's period, also the quiet time an hour needs before it is refreshed.</summary>
    public TimeSpan AggregateRefresh { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Plain mode: an hour written without pause is refreshed after it has been dirty this long.
    /// Each refresh recomputes the whole hour from raw events, so this bounds that work to one
    /// recompute per busy (site, hour) every few minutes, while reads of the hour meanwhile
    /// scan its raw events.
    /// </summary>
    public TimeSpan AggregateMaxDirty { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Plain mode: the most of the time the refresher's rounds may take (0, 1]; see AggregateRefreshJob.</summary>
    public double AggregateRefreshShare { get; init; } = 0.25;

    /// <summary>Plain mode: (site, hour)s per refresh transaction, so one commit stays short.</summary>
    public int AggregateRefreshHours { get; init; } = 24;

    /// <summary>Plain mode: storing transactions fold into the materialized aggregates (see ProcessorOptions.FoldAggregates).</summary>
    public bool FoldAggregates { get; init; }

    /// <summary>
    /// Plain mode: the pause between property-day rounds that found nothing more to do. Days
    /// close once a day and late events un-register one now and then, so a minute wastes
    /// nothing and bounds how long a recomputed day is read raw.
    /// </summary>
    public TimeSpan PropertyDaysInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Plain mode: (site, day)s per property-day round (each its own transaction).</summary>
    public int PropertyDaysPerRound { get; init; } = 8;

    // The cache is only a fast path in front of eventide.event_ids (which is
    // what makes dedupe hold); at ~140 bytes an id, 1000 busy sites × 4096
    // ids cost ~570 MB of RSS in the benchmark, × 256 ids ~35 MB. The ids it
    // keeps are promoted into gen2 among dying batch objects, which is where
    // the processor's GC fragmentation sits, so it stays small: a retry
    // usually repeats an id within seconds.
    public int RecentIdsPerSite { get; init; } = 64;

    public static ProcessorSettings From(EventideOptions options) => new()
    {
        Batch = new BatchPolicy(options.Processor.BatchSize, TimeSpan.FromMilliseconds(options.Processor.FlushIntervalMs)),
        DedupeWindow = TimeSpan.FromHours(options.Processor.DedupeWindowHours),
        SitePassivation = TimeSpan.FromSeconds(options.Processor.SitePassivationSeconds),
        MaxActiveSites = options.Processor.MaxActiveSites,
        MaxConcurrentBatches = options.Processor.MaxConcurrentBatches,
        RetentionDays = options.Retention.Days,
        AggregateRefresh = TimeSpan.FromMilliseconds(options.Processor.AggregateRefreshMs),
        AggregateRefreshShare = options.Processor.AggregateRefreshPercent / 100.0,
        FoldAggregates = options.Processor.FoldAggregates,
    };
}
