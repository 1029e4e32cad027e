using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Eventide.Server.Metrics;

/// <summary>
/// The one view every instrument passes through: it keeps other hosts' meters
/// out, fixes histogram buckets and caps the series per metric.
/// </summary>
public static class MetricViews
{
    /// <summary>
    /// Series (label sets) per metric before further ones are folded into one
    /// series labelled otel_metric_overflow="true". Eventide's labels are bounded
    /// by design (no site ids, route templates not paths; 64 shards by default),
    /// so reaching the cap means a bug, not load.
    /// </summary>
    public const int CardinalityLimit = 1000;

    /// <summary>Seconds: 0.5 ms (a warm in-memory path) up to 10 s (a stuck commit).</summary>
    public static readonly double[] Seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Counts (events, bytes and the rest): 1 up to the largest batches (processor batch size 5000, twice over).</summary>
    public static readonly double[] Counts = [1, 5, 10, 50, 100, 500, 1000, 5000, 10000];

    /// <summary>
    /// The stream for one instrument. A meter created by an IMeterFactory
    /// other than this host's belongs to another host in the same process
    /// (tests run several): the SDK subscribes by meter name only, so those
    /// are dropped here. Process-wide meters (runtime, Npgsql) have no scope.
    /// </summary>
    public static MetricStreamConfiguration? Select(Instrument instrument, IMeterFactory own)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        if (instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, own))
        {
            return MetricStreamConfiguration.Drop;
        }
        return Boundaries(instrument) is { } bounds
            ? new ExplicitBucketHistogramConfiguration { Boundaries = bounds, CardinalityLimit = CardinalityLimit }
            : new MetricStreamConfiguration { Name = Renames.GetValueOrDefault(instrument.Name), CardinalityLimit = CardinalityLimit };
    }

    /// <summary>
    /// Gauges the instrumentation names "….count" would be exposed as "…_count",
    /// which Prometheus reserves for histograms and summaries (promtool check
    /// metrics rejects it). They get plural names instead.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Renames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["db.client.connection.count"] = "db.client.connections",
        ["dotnet.assembly.count"] = "dotnet.assemblies",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers",
        ["process.thread.count"] = "process.threads",
        ["process.unix.file_descriptor.count"] = "process.unix.file_descriptors",
    };

    /// <summary>A histogram's bucket bounds: its advice when it gives some, else the defaults for its unit; null for other instruments.</summary>
    public static double[]? Boundaries(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<short> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<byte> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 })
        {
            return advised;
        }
        var isHistogram = instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Histogram<>);
        if (!isHistogram)
        {
            return null;
        }
        return instrument.Unit is "s" ? Seconds : Counts;
    }
}
