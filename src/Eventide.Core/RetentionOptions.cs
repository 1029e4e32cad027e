namespace Eventide.Core;

/// <summary>
/// Storage horizons. They must stay ordered: retention &gt; aggregate refresh
/// window &gt; compression age &gt; accepted lateness, or late
/// events would land in chunks that are compressed, unrefreshed or dropped.
/// </summary>
public sealed class RetentionOptions
{
    public int Days { get; set; } = 400;

    public int AggregateRefreshDays { get; set; } = 30;

    public int CompressAfterDays { get; set; } = 7;

    public int AcceptedLatenessHours { get; set; } = 48;

    public string? Validate()
    {
        if (AcceptedLatenessHours < 1)
        {
            return "Eventide:Retention:AcceptedLatenessHours must be at least 1";
        }
        if (!(Days > AggregateRefreshDays && AggregateRefreshDays > CompressAfterDays && CompressAfterDays * 24 > AcceptedLatenessHours))
        {
            return "Eventide:Retention horizons must be ordered: Days > AggregateRefreshDays > CompressAfterDays > AcceptedLatenessHours/24 " +
                $"(got {Days} > {AggregateRefreshDays} > {CompressAfterDays} > {AcceptedLatenessHours}h)";
        }
        return null;
    }
}
