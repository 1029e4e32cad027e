using System.Diagnostics.Metrics;

namespace Eventide.Server.Metrics;

/// <summary>Default histogram bucket bounds by unit, overridable per instrument through its advice.</summary>
public static class HistogramBuckets
{
    /// <summary>Seconds: 0.5 ms (a warm in-memory path) up to 10 s (a stuck commit).</summary>
    public static readonly double[] Seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Event counts: single events up to the largest batches (processor batch size 5000, twice over).</summary>
    public static readonly double[] Events = [1, 5, 10, 50, 100, 500, 1000, 5000, 10000];

    /// <summary>Bytes: 256 B to 16 MiB by powers of four.</summary>
    public static readonly double[] Bytes = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];

    /// <summary>The instrument's advised boundaries when set, else the defaults for its unit (from the name suffix or the unit).</summary>
    public static double[] For(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 })
        {
            var clean = advised.Where(double.IsFinite).Distinct().Order().ToArray();
            if (clean.Length > 0)
            {
                return clean;
            }
        }
        return ForUnit(instrument.Name, instrument.Unit);
    }

    public static double[] ForUnit(string name, string? unit)
    {
        if (name.EndsWith("_seconds", StringComparison.Ordinal) || unit is "s")
        {
            return Seconds;
        }
        if (name.EndsWith("_bytes", StringComparison.Ordinal) || unit is "By")
        {
            return Bytes;
        }
        return Events;
    }
}
