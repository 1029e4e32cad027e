namespace Eventide.Storage.Analytics;

/// <summary>A piece of a query range and the relation that answers it exactly.</summary>
public readonly record struct RangeSegment(RangeSource Source, TimeRange Range);
