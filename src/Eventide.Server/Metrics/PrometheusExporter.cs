using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Eventide.Server.Metrics;

/// <summary>
/// Collects every instrument on meters named "Eventide" (and the mapped
/// foreign instruments, e.g. Npgsql's pool) with a MeterListener and renders
/// them in the Prometheus text format. Counting starts when the exporter is
/// created, like a process start for Prometheus. Meters from an IMeterFactory
/// count only when it is this host's factory (the scope argument);
/// process-wide meters (the static role metrics) always count.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string MeterName = "Eventide";
    public const string DroppedSeriesName = "eventide_metrics_dropped_series_total";

    /// <summary>Distinct label sets per metric before further ones are dropped (and counted).</summary>
    public const int DefaultMaxSeries = 1000;

    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Meter, string Instrument), ForeignInstrument> _foreign;
    private readonly MeterListener _listener;
    private readonly int _maxSeries;
    private readonly object? _scope;
    private readonly Lock _scrapeGate = new();
    private long _epoch;

    public PrometheusExporter(int maxSeries = DefaultMaxSeries, IEnumerable<ForeignInstrument>? foreign = null, object? scope = null)
    {
        _maxSeries = maxSeries;
        _scope = scope;
        _foreign = (foreign ?? ForeignInstrument.Npgsql).ToDictionary(f => (f.MeterName, f.InstrumentName));
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<double>((i, v, t, s) => OnMeasurement(v, t, s));
        _listener.SetMeasurementEventCallback<float>((i, v, t, s) => OnMeasurement(v, t, s));
        _listener.SetMeasurementEventCallback<long>((i, v, t, s) => OnMeasurement(v, t, s));
        _listener.SetMeasurementEventCallback<int>((i, v, t, s) => OnMeasurement(v, t, s));
        _listener.SetMeasurementEventCallback<short>((i, v, t, s) => OnMeasurement(v, t, s));
        _listener.SetMeasurementEventCallback<byte>((i, v, t, s) => OnMeasurement(v, t, s));
        _listener.SetMeasurementEventCallback<decimal>((i, v, t, s) => OnMeasurement((double)v, t, s));
        _listener.Start();
    }

    /// <summary>The family exposed under a name, or null (mainly for tests).</summary>
    public MetricFamily? Family(string exposedName) => _families.GetValueOrDefault(exposedName);

    /// <summary>Collects observed instruments and renders every family. Safe to call concurrently.</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            var epoch = Interlocked.Increment(ref _epoch);
            _listener.RecordObservableInstruments();
            var sb = new StringBuilder(16 * 1024);
            var families = _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
            foreach (var family in families)
            {
                Render(sb, family, epoch);
            }
            sb.Append("# HELP ").Append(DroppedSeriesName)
                .Append(" Measurements dropped because their metric already had ").Append(_maxSeries).Append(" label sets.\n");
            sb.Append("# TYPE ").Append(DroppedSeriesName).Append(" counter\n");
            foreach (var family in families.Where(f => f.DroppedMeasurements > 0))
            {
                sb.Append(DroppedSeriesName).Append("{metric=\"").Append(family.Name).Append("\"} ").Append(family.DroppedMeasurements).Append('\n');
            }
            return sb.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private static void Render(StringBuilder sb, MetricFamily family, long epoch)
    {
        sb.Append("# HELP ").Append(family.Name).Append(' ').Append(PrometheusText.EscapeHelp(family.Help)).Append('\n');
        sb.Append("# TYPE ").Append(family.Name).Append(' ')
            .Append(family.IsHistogram ? "histogram" : family.IsCounter ? "counter" : "gauge").Append('\n');
        foreach (var series in family.Series)
        {
            if (family.IsObserved && series.Epoch != epoch)
            {
                continue; // not reported by this collection: the thing it measured is gone (e.g. a shard handed off)
            }
            if (family.IsHistogram)
            {
                RenderHistogram(sb, family, series);
            }
            else
            {
                sb.Append(family.Name).Append(series.Labels).Append(' ').Append(PrometheusText.Number(series.Value)).Append('\n');
            }
        }
    }

    private static void RenderHistogram(StringBuilder sb, MetricFamily family, MetricSeries series)
    {
        var counts = series.BucketCounts();
        var sum = series.Value;
        // "le" joins the series' own labels: {a="x"} becomes {a="x",le="0.1"}.
        var prefix = series.Labels.Length == 0 ? "{" : series.Labels[..^1] + ",";
        long cumulative = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            cumulative += counts[i];
            var le = i < family.Bounds.Length ? PrometheusText.Number(family.Bounds[i]) : "+Inf";
            sb.Append(family.Name).Append("_bucket").Append(prefix).Append("le=\"").Append(le).Append("\"} ").Append(cumulative).Append('\n');
        }
        sb.Append(family.Name).Append("_sum").Append(series.Labels).Append(' ').Append(PrometheusText.Number(sum)).Append('\n');
        sb.Append(family.Name).Append("_count").Append(series.Labels).Append(' ').Append(cumulative).Append('\n');
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (instrument.Meter.Scope is not null && !ReferenceEquals(instrument.Meter.Scope, _scope))
        {
            return; // another host's meter in this process
        }
        ForeignInstrument? foreign = null;
        if (instrument.Meter.Name != MeterName && !_foreign.TryGetValue((instrument.Meter.Name, instrument.Name), out foreign))
        {
            return;
        }
        if (KindOf(instrument) is not { } kind)
        {
            return;
        }
        var name = foreign?.ExposedName ?? instrument.Name;
        var exposed = kind is MetricKind.Counter or MetricKind.ObservedCounter ? PrometheusText.CounterName(name) : PrometheusText.MetricName(name);
        var help = foreign?.Help ?? (string.IsNullOrWhiteSpace(instrument.Description) ? $"{instrument.Name} ({instrument.Unit ?? "no unit"})" : instrument.Description);
        var family = _families.GetOrAdd(exposed, n => new MetricFamily(
            n, help, kind, kind == MetricKind.Histogram ? HistogramBuckets.For(instrument) : null, _maxSeries));
        if (family.Kind != kind)
        {
            return; // two instruments of different kinds under one name: the first one keeps it
        }
        listener.EnableMeasurementEvents(instrument, new Binding(family, foreign));
    }

    private void OnMeasurement(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var binding = (Binding)state!;
        var epoch = Volatile.Read(ref _epoch);
        if (binding.Foreign is null)
        {
            binding.Family.Record(value, tags, epoch);
            return;
        }
        var all = new Dictionary<string, object?>(tags.Length, StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            all[tag.Key] = tag.Value;
        }
        if (binding.Foreign.Filter is { } filter && !filter(all))
        {
            return;
        }
        var mapped = new List<KeyValuePair<string, object?>>(binding.Foreign.Labels.Count);
        foreach (var (from, to) in binding.Foreign.Labels)
        {
            if (all.TryGetValue(from, out var v))
            {
                mapped.Add(new(to, v));
            }
        }
        binding.Family.Record(value, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(mapped), epoch);
    }

    private static MetricKind? KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(Counter<>) ? MetricKind.Counter
            : definition == typeof(UpDownCounter<>) ? MetricKind.UpDownCounter
            : definition == typeof(Histogram<>) ? MetricKind.Histogram
            : definition == typeof(Gauge<>) ? MetricKind.Gauge
            : definition == typeof(ObservableCounter<>) ? MetricKind.ObservedCounter
            : definition == typeof(ObservableUpDownCounter<>) ? MetricKind.ObservedUpDownCounter
            : definition == typeof(ObservableGauge<>) ? MetricKind.ObservedGauge
            : null;
    }

    private sealed record Binding(MetricFamily Family, ForeignInstrument? Foreign);
}
