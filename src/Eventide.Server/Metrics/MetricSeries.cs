namespace Eventide.Server.Metrics;

/// <summary>
/// One label set of one family. Recording is lock-free (Interlocked on fields
/// and on the bucket array), so the hot path never waits for a scrape.
/// </summary>
public sealed class MetricSeries
{
    private readonly long[]? _buckets;
    private double _value;
    private long _epoch = -1;

    internal MetricSeries(string labels, int bucketCount)
    {
        Labels = labels;
        _buckets = bucketCount > 0 ? new long[bucketCount + 1] : null;
    }

    /// <summary>The rendered label set, "{a=\"x\"}" or "".</summary>
    public string Labels { get; }

    public double Value => Volatile.Read(ref _value);

    internal long Epoch => Volatile.Read(ref _epoch);

    internal void Add(double delta)
    {
        double seen, updated;
        do
        {
            seen = Volatile.Read(ref _value);
            updated = seen + delta;
        }
        while (Interlocked.CompareExchange(ref _value, updated, seen) != seen);
    }

    internal void Set(double value) => Interlocked.Exchange(ref _value, value);

    /// <summary>Observed instruments: the first value of a collection replaces, later ones in the same collection add or replace.</summary>
    internal void Observe(double value, long epoch, bool additive)
    {
        if (_epoch != epoch)
        {
            _epoch = epoch;
            _value = value;
        }
        else if (additive)
        {
            _value += value;
        }
        else
        {
            _value = value;
        }
    }

    /// <summary>Records into bucket <paramref name="bucket"/> (bounds.Length means +Inf) and the sum.</summary>
    internal void Record(int bucket, double value)
    {
        Interlocked.Increment(ref _buckets![bucket]);
        Add(value);
    }

    /// <summary>Per-bucket (non-cumulative) counts, last one the +Inf overflow.</summary>
    internal long[] BucketCounts()
    {
        var copy = new long[_buckets!.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Volatile.Read(ref _buckets[i]);
        }
        return copy;
    }
}
