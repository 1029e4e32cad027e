namespace Eventide.Storage.Analytics;

/// <summary>Bucket widths of the aggregates, and of timeseries points.</summary>
public enum Granularity
{
    Minute,
    Hour,
    Day,
}
