namespace Eventide.Core;

public sealed class ProcessorOptions
{
    public int BatchSize { get; set; } = 5000;

    public int FlushIntervalMs { get; set; } = 200;

    public int DedupeWindowHours { get; set; } = 24;

    public int SitePassivationSeconds { get; set; } = 300;

    /// <summary>
    /// The most site entities alive on one processor (env Eventide__Processor__MaxActiveSites;
    /// 0 turns the limit off): beyond it the least recently active are passivated before their
    /// idle time, so memory follows this figure, not how many sites sent events within
    /// <see cref="SitePassivationSeconds"/>. An entity with a full id front is a few KB.
    /// </summary>
    public int MaxActiveSites { get; set; } = 10_000;

    /// <summary>Batches a processor runs at once, whatever the number of shards it owns (each is one database transaction).</summary>
    public int MaxConcurrentBatches { get; set; } = 4;

    /// <summary>
    /// Plain mode: how often the materialized aggregates are refreshed, and how long an hour must
    /// have gone without new events before it is (env Eventide__Processor__AggregateRefreshMs).
    /// Answers are exact either way; this decides how much of them is read from raw events.
    /// </summary>
    public int AggregateRefreshMs { get; set; } = 2000;

    /// <summary>
    /// Plain mode: the most of its time, in percent, the aggregate refresher may spend in its rounds
    /// (env Eventide__Processor__AggregateRefreshPercent, 1–100): after a round that took t it rests
    /// at least t × (100 / percent − 1), even when more hours are waiting. Dirty hours wait longer
    /// (they are read raw meanwhile, answers stay exact) instead of the recompute taking a database
    /// backend's whole time beside the storing transactions.
    /// </summary>
    public int AggregateRefreshPercent { get; set; } = 25;

    /// <summary>
    /// Plain mode: whether storing transactions fold their events into the materialized
    /// aggregates as deltas (env Eventide__Processor__FoldAggregates) instead of marking their
    /// hours dirty for the refresher. Off by default: in the benchmark the fold's upserts of
    /// the same minute, hour and day rows batch after batch took 59 % of the database's time
    /// under sustained load and halved the end-to-end rate (docs/benchmark.md). Set it on every
    /// processor or on none: the refresher locks out folding shards only when it is on.
    /// </summary>
    public bool FoldAggregates { get; set; }

    public string? Validate()
    {
        if (BatchSize < 1 || FlushIntervalMs < 1 || DedupeWindowHours < 1 || AggregateRefreshMs < 1)
        {
            return "Eventide:Processor BatchSize, FlushIntervalMs, DedupeWindowHours and AggregateRefreshMs must be positive";
        }
        if (AggregateRefreshPercent is < 1 or > 100)
        {
            return "Eventide:Processor:AggregateRefreshPercent must be between 1 and 100";
        }
        if (MaxActiveSites < 0)
        {
            return "Eventide:Processor:MaxActiveSites must be 0 (no limit) or positive";
        }
        if (MaxConcurrentBatches is < 1 or > 64)
        {
            return "Eventide:Processor:MaxConcurrentBatches must be between 1 and 64";
        }
        return null;
    }
}
