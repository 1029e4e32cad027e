namespace Eventide.Bench;

/// <summary>
/// The pipeline tables the bench fills with its own events and may empty between phases: a
/// phase then starts without the previous phase's backlog (inbox rows the processor would drain
/// for tens of seconds) or the refresher's recompute of it (minutes of dirty hours after the
/// 100,000-site phase), and its figures do not depend on what ran before it.
/// </summary>
public static class PipelineData
{
    /// <summary>
    /// In the order TRUNCATE takes their locks. The inbox comes first: a storing transaction
    /// claims inbox rows before it touches anything else, so while the truncation holds or waits
    /// for the inbox no new storing transaction gets further, and the ones already past their
    /// claim finish with locks the truncation has not taken yet. The refresher reads the dirty
    /// marks before events and writes the materialized rows last, so the marks come before
    /// events and the materialized tables after them. A lock order against every writer is what
    /// keeps the truncation from deadlocking with a running pipeline.
    /// </summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        "eventide.inbox",
        "eventide.aggregate_dirty",
        "eventide.events",
        "eventide.event_ids",
        "eventide.events_1m_mat",
        "eventide.events_1h_mat",
        "eventide.events_1d_mat",
        "eventide.users_1h_mat",
        "eventide.users_1d_mat",
        "eventide.name_users_1d_mat",
    ];

    /// <summary>
    /// The TRUNCATE of those of <see cref="Tables"/> that exist (plain mode has the dirty marks
    /// and materialized tables, Timescale mode neither), in <see cref="Tables"/>' order whatever
    /// the order of <paramref name="existing"/>; null when none exists.
    /// </summary>
    public static string? TruncateStatement(IEnumerable<string> existing)
    {
        var present = existing.ToHashSet(StringComparer.Ordinal);
        var tables = Tables.Where(present.Contains).ToList();
        return tables.Count == 0 ? null : $"TRUNCATE {string.Join(", ", tables)}";
    }
}
