namespace Eventide.Storage.Analytics;

/// <summary>Where one piece of a range is read from.</summary>
public enum RangeSource
{
    /// <summary>The raw events table: only for edges finer than the finest usable aggregate.</summary>
    Raw,
    Minute,
    Hour,
    Day,
}
