using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Eventide.Core;
using Eventide.Storage.Processing;

namespace Eventide.Ingestion;

/// <summary>
/// The ingestion role's instruments on the <see cref="EventideMeter.Name"/> meter of the host's
/// IMeterFactory. Names are in Prometheus form already; the exporter appends
/// _total to counters. Tags are bounded sets: never a site id.
/// </summary>
public sealed class IngestionMetrics
{
    private readonly ConcurrentDictionary<object, Func<long>> _bufferSources = new();

    public IngestionMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(EventideMeter.Name);
        Requests = meter.CreateCounter<long>(
            "eventide_ingestion_requests", "{request}", "Intake requests by response status");
        Events = meter.CreateCounter<long>(
            "eventide_ingestion_events", "{event}", "Events accepted or rejected, by reason");
        SegmentDeadLetters = meter.CreateCounter<long>(
            "eventide_ingestion_segment_dead_letters", "{message}", "Segment messages dead-lettered at intake, by reason");
        CommitBatchEvents = meter.CreateHistogram<long>(
            "eventide_ingestion_commit_batch_events", "{event}", "Events per group-commit transaction",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 5, 10, 50, 100, 500, 1000, 5000, 20000] });
        CommitDuration = meter.CreateHistogram<double>(
            "eventide_ingestion_commit_duration_seconds", "s", "Group-commit transaction duration",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        meter.CreateObservableGauge(
            "eventide_ingestion_buffer_events", ObserveBuffer, "{event}", "Events accepted and waiting for their group commit");
    }

    /// <summary>Requests by response status (tag <c>status</c>: 200, 202, 400, 401, 403, 413, 415, 429, 503).</summary>
    public Counter<long> Requests { get; }

    /// <summary>
    /// Events by <c>outcome</c> (accepted|rejected) and <c>reason</c>: for rejected events invalid,
    /// too_large, future, too_old, forbidden, rate_limited, unavailable or inbox_full; "ok" for accepted ones.
    /// Bodies refused before their events could be counted (malformed, too large) count only as requests.
    /// </summary>
    public Counter<long> Events { get; }

    /// <summary>
    /// Segment messages newly written to eventide.dead_letters (source <see cref="DeadLetterSources.Segment"/>), by <c>reason</c>
    /// (invalid, too_large, future, too_old). A retried batch finds its dead letters present and
    /// does not count them again.
    /// </summary>
    public Counter<long> SegmentDeadLetters { get; }

    public Histogram<long> CommitBatchEvents { get; }

    /// <summary>Group-commit transaction duration, tagged <c>outcome</c>: committed, failed or in_doubt.</summary>
    public Histogram<double> CommitDuration { get; }

    /// <summary>Adds a source to the buffer gauge (the host's group committer).</summary>
    public IDisposable RegisterBuffer(Func<long> source)
    {
        var key = new object();
        _bufferSources[key] = source;
        return new Registration(_bufferSources, key);
    }

    private long ObserveBuffer()
    {
        long total = 0;
        foreach (var source in _bufferSources.Values)
        {
            total += source();
        }
        return total;
    }

    private sealed class Registration(ConcurrentDictionary<object, Func<long>> sources, object key) : IDisposable
    {
        public void Dispose() => sources.TryRemove(key, out _);
    }
}
