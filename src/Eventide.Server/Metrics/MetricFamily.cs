using System.Collections.Concurrent;

namespace Eventide.Server.Metrics;

/// <summary>
/// One exposed metric name: its type, help, histogram bounds and series.
/// Series are found by an order-independent hash of the tags and matched
/// against stored raw tag values, so recording into an existing series
/// allocates nothing; only a new label set takes the lock. Tags that render
/// alike (shard 3 and "3") share one series, as one exposition line.
/// </summary>
public sealed class MetricFamily
{
    private readonly ConcurrentDictionary<int, SeriesKey[]> _byHash = new();
    private readonly Dictionary<string, MetricSeries> _byLabels = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly int _maxSeries;
    private MetricSeries[] _all = [];
    private long _dropped;

    internal MetricFamily(string name, string help, MetricKind kind, double[]? bounds, int maxSeries)
    {
        IsObserved = kind is MetricKind.ObservedCounter or MetricKind.ObservedUpDownCounter or MetricKind.ObservedGauge;
        Name = name;
        Help = help;
        Kind = kind;
        Bounds = bounds ?? [];
        _maxSeries = maxSeries;
    }

    /// <summary>The exposed name (counters with "_total").</summary>
    public string Name { get; }

    public string Help { get; }

    public MetricKind Kind { get; }

    /// <summary>Upper bounds of the histogram buckets, ascending, without +Inf.</summary>
    public double[] Bounds { get; }

    public bool IsHistogram => Kind == MetricKind.Histogram;

    public bool IsCounter => Kind is MetricKind.Counter or MetricKind.ObservedCounter;

    /// <summary>Observed (callback) instruments: only series reported in the current collection are exposed.</summary>
    public bool IsObserved { get; }

    public bool IsGauge => !IsCounter && !IsHistogram;

    public IReadOnlyList<MetricSeries> Series => Volatile.Read(ref _all);

    /// <summary>Measurements dropped because this family already had the maximum number of label sets.</summary>
    public long DroppedMeasurements => Interlocked.Read(ref _dropped);

    /// <summary>Routes one measurement; the epoch identifies the current scrape for observed instruments.</summary>
    internal void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, long epoch)
    {
        if (double.IsNaN(value))
        {
            return;
        }
        var series = Find(tags);
        if (series is null)
        {
            return;
        }
        switch (Kind)
        {
            case MetricKind.Counter:
                if (value > 0)
                {
                    series.Add(value);
                }
                break;
            case MetricKind.UpDownCounter:
                series.Add(value);
                break;
            case MetricKind.Histogram:
                series.Record(BucketOf(value), value);
                break;
            case MetricKind.Gauge:
                series.Set(value);
                break;
            default:
                series.Observe(value, epoch, additive: Kind != MetricKind.ObservedGauge);
                break;
        }
    }

    /// <summary>The index of the first bound ≥ value (Prometheus "le"), or Bounds.Length for +Inf.</summary>
    internal int BucketOf(double value)
    {
        var bounds = Bounds;
        // fast path: a linear scan over ~15 bounds beats a binary search's branches.
        for (var i = 0; i < bounds.Length; i++)
        {
            if (value <= bounds[i])
            {
                return i;
            }
        }
        return bounds.Length;
    }

    private MetricSeries? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = Hash(tags);
        if (_byHash.TryGetValue(hash, out var chain))
        {
            foreach (var key in chain)
            {
                if (key.Matches(tags))
                {
                    return key.Series;
                }
            }
        }
        return Create(hash, tags);
    }

    private MetricSeries? Create(int hash, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_gate)
        {
            var chain = _byHash.GetValueOrDefault(hash) ?? [];
            foreach (var key in chain)
            {
                if (key.Matches(tags))
                {
                    return key.Series;
                }
            }
            var (keys, values, labels) = Describe(tags);
            if (!_byLabels.TryGetValue(labels, out var series))
            {
                if (_all.Length >= _maxSeries)
                {
                    Interlocked.Increment(ref _dropped);
                    return null;
                }
                series = new MetricSeries(labels, IsHistogram ? Bounds.Length : 0);
                _byLabels.Add(labels, series);
                Volatile.Write(ref _all, [.. _all, series]);
            }
            _byHash[hash] = [.. chain, new SeriesKey(keys, values, series)];
            return series;
        }
    }

    private static (string[] Keys, object?[] Values, string Labels) Describe(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var ordered = tags.ToArray();
        Array.Sort(ordered, (a, b) => string.CompareOrdinal(PrometheusText.LabelName(a.Key), PrometheusText.LabelName(b.Key)));
        var keys = new string[ordered.Length];
        var raw = new object?[ordered.Length];
        var names = new string[ordered.Length];
        var values = new string[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            keys[i] = ordered[i].Key;
            raw[i] = ordered[i].Value;
            names[i] = PrometheusText.LabelName(ordered[i].Key);
            values[i] = PrometheusText.TagValue(ordered[i].Value);
        }
        return (keys, raw, PrometheusText.LabelSet(names, values));
    }

    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // fast path: a cheap hash of the values only, order-independent because
        // callers may pass tags in any order. Keys and whole values are compared
        // in Matches, so a collision costs a chain scan, never a wrong series;
        // string.GetHashCode (Marvin) cost more than all the rest of a recording.
        var hash = tags.Length;
        foreach (var tag in tags)
        {
            hash += tag.Value switch
            {
                null => 0,
                string { Length: 0 } => 1,
                string v => (v.Length * 397) ^ v[0] ^ (v[v.Length / 2] << 10) ^ (v[^1] << 20),
                var v => v.GetHashCode(),
            };
        }
        return hash;
    }

    /// <summary>One spelling of a label set (raw tag keys and values) and the series it records into.</summary>
    private sealed record SeriesKey(string[] Keys, object?[] Values, MetricSeries Series)
    {
        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (Keys.Length != tags.Length)
            {
                return false;
            }
            foreach (var tag in tags)
            {
                var i = Array.IndexOf(Keys, tag.Key);
                if (i < 0 || !Equals(Values[i], tag.Value))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
