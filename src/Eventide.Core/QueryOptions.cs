namespace Eventide.Core;

public sealed class QueryOptions
{
    /// <summary>The event names the seeds and Segment's page call (mapped to pageview) send for a page view.</summary>
    public const string DefaultPageviewNames = "pageview,page_view,view";

    public int MaxRangeDays { get; set; } = 400;

    /// <summary>
    /// Comma-separated event names that count as pageviews in the summary, /stats and top
    /// paths (env Eventide__Query__PageviewNames).
    /// </summary>
    public string PageviewNames { get; set; } = DefaultPageviewNames;

    /// <summary>
    /// Messages a live connection may have waiting; a client that falls further behind is dropped.
    /// A feed connection has room for one more second of the feed (100 events) on top.
    /// </summary>
    public int LiveBufferMessages { get; set; } = 64;

    /// <summary>The names of <see cref="PageviewNames"/>, trimmed, without empties and duplicates.</summary>
    public string[] PageviewNameList() =>
        PageviewNames.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
}
