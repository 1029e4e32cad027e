using System.Diagnostics.Metrics;

namespace Eventide.Server.Metrics;

/// <summary>
/// Process and .NET runtime metrics under Eventide names. Static, like the
/// role metrics, so several hosts in one process (tests) report one set.
/// </summary>
public static class RuntimeMetrics
{
    private static readonly Meter Meter = new(PrometheusExporter.MeterName);

    private static readonly KeyValuePair<string, object?>[][] GenerationTags =
        [.. Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => new[] { new KeyValuePair<string, object?>("generation", g.ToString(System.Globalization.CultureInfo.InvariantCulture)) })];

    static RuntimeMetrics()
    {
        Meter.CreateObservableCounter("eventide_process_cpu_seconds", () => Environment.CpuUsage.TotalTime.TotalSeconds,
            "s", "User and system CPU time the process has used.");
        Meter.CreateObservableGauge("eventide_process_resident_memory_bytes", () => Environment.WorkingSet,
            "By", "Resident set size of the process.");
        Meter.CreateObservableCounter("eventide_dotnet_gc_collections", CollectionCounts,
            "{collection}", "Garbage collections since the process started, by generation.");
        Meter.CreateObservableGauge("eventide_dotnet_gc_heap_bytes", () => GC.GetTotalMemory(forceFullCollection: false),
            "By", "Bytes currently allocated on the managed heap.");
        Meter.CreateObservableGauge("eventide_dotnet_gc_committed_bytes", () => GC.GetGCMemoryInfo().TotalCommittedBytes,
            "By", "Memory the garbage collector has committed from the OS, as of the last collection (heap plus free space it kept).");
        Meter.CreateObservableGauge("eventide_dotnet_gc_generation_size_bytes", () => GenerationBytes(fragmentation: false),
            "By", "Size of each GC generation (gen0, gen1, gen2, loh, poh) after the last collection.");
        Meter.CreateObservableGauge("eventide_dotnet_gc_generation_fragmentation_bytes", () => GenerationBytes(fragmentation: true),
            "By", "Free space inside each GC generation after the last collection.");
        Meter.CreateObservableGauge("eventide_dotnet_threadpool_threads", () => (long)ThreadPool.ThreadCount,
            "{thread}", "Thread-pool threads that currently exist.");
        Meter.CreateObservableGauge("eventide_dotnet_threadpool_queue_length", () => ThreadPool.PendingWorkItemCount,
            "{item}", "Work items queued to the thread pool and not yet started.");
    }

    /// <summary>Touching the class creates the instruments (once per process).</summary>
    public static void EnsureCreated()
    {
    }

    private static readonly KeyValuePair<string, object?>[][] HeapTags =
        [.. new[] { "gen0", "gen1", "gen2", "loh", "poh" }.Select(g => new[] { new KeyValuePair<string, object?>("generation", g) })];

    private static Measurement<long>[] GenerationBytes(bool fragmentation)
    {
        var generations = GC.GetGCMemoryInfo().GenerationInfo;
        var measurements = new Measurement<long>[Math.Min(generations.Length, HeapTags.Length)];
        for (var g = 0; g < measurements.Length; g++)
        {
            measurements[g] = new Measurement<long>(fragmentation ? generations[g].FragmentationAfterBytes : generations[g].SizeAfterBytes, HeapTags[g]);
        }
        return measurements;
    }

    private static IEnumerable<Measurement<long>> CollectionCounts()
    {
        for (var g = 0; g < GenerationTags.Length; g++)
        {
            yield return new Measurement<long>(GC.CollectionCount(g), GenerationTags[g]);
        }
    }
}
