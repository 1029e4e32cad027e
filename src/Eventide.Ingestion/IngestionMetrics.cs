using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Eventide.Ingestion;

/// <summary>
/// The ingestion role's instruments on the shared "Eventide" meter. Names are in
/// Prometheus form already; counters carry no _total (the exporter adds it).
/// Tags are bounded sets: never a site id.
/// </summary>
public static class IngestionMetrics
{
    public const string MeterName = "Eventide";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<object, Func<long>> BufferSources = new();

    /// <summary>Requests by response status (tag <c>status</c>: 202, 400, 401, 403, 413, 415, 429, 503).</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "eventide_ingestion_requests", "{request}", "Intake requests by response status");

    /// <summary>
    /// Events by <c>outcome</c> (accepted|rejected) and <c>reason</c>: for rejected events invalid,
    /// too_large, future, too_old, forbidden, rate_limited or unavailable; "ok" for accepted ones.
    /// Bodies refused before their events could be counted (malformed, too large) count only as requests.
    /// </summary>
    public static readonly Counter<long> Events = Meter.CreateCounter<long>(
        "eventide_ingestion_events", "{event}", "Events accepted or rejected, by reason");

    /// <summary>
    /// Segment messages newly written to eventide.dead_letters (source 'segment'), by <c>reason</c>
    /// (invalid, too_large, future, too_old). A retried batch finds its dead letters present and
    /// does not count them again.
    /// </summary>
    public static readonly Counter<long> SegmentDeadLetters = Meter.CreateCounter<long>(
        "eventide_ingestion_segment_dead_letters", "{message}", "Segment messages dead-lettered at intake, by reason");

    public static readonly Histogram<long> CommitBatchEvents = Meter.CreateHistogram<long>(
        "eventide_ingestion_commit_batch_events", "{event}", "Events per group-commit transaction",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 5, 10, 50, 100, 500, 1000, 5000, 20000] });

    /// <summary>Group-commit transaction duration, tagged <c>outcome</c>: committed, failed or in_doubt.</summary>
    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "eventide_ingestion_commit_duration_seconds", "s", "Group-commit transaction duration",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });

    public static readonly ObservableGauge<long> BufferEvents = Meter.CreateObservableGauge(
        "eventide_ingestion_buffer_events", ObserveBuffer, "{event}", "Events accepted and waiting for their group commit");

    /// <summary>Adds a source to the buffer gauge (one per committer; tests run several hosts in a process).</summary>
    public static IDisposable RegisterBuffer(Func<long> source)
    {
        var key = new object();
        BufferSources[key] = source;
        return new Registration(key);
    }

    private static long ObserveBuffer()
    {
        long total = 0;
        foreach (var source in BufferSources.Values)
        {
            total += source();
        }
        return total;
    }

    private sealed class Registration(object key) : IDisposable
    {
        public void Dispose() => BufferSources.TryRemove(key, out _);
    }
}
