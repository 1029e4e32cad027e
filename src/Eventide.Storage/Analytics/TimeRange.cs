namespace Eventide.Storage.Analytics;

/// <summary>A half-open UTC range [<see cref="From"/>, <see cref="To"/>), microsecond precision like PostgreSQL.</summary>
public readonly record struct TimeRange(DateTimeOffset From, DateTimeOffset To)
{
    public TimeSpan Length => To - From;

    public bool IsEmpty => To <= From;
}
