using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Eventide.Core;
using Eventide.Processor.Cluster;
using Eventide.Storage.Processing;

namespace Eventide.Processor;

/// <summary>
/// The processor's instruments on the <see cref="EventideMeter.Name"/> meter of the host's
/// IMeterFactory (one instance per host). Tags never carry a site id.
/// </summary>
public sealed class ProcessorMetrics
{
    private readonly ConcurrentDictionary<LocalShards, bool> _members = new();
    private volatile LagSnapshot? _lag;
    private string[] _shardTags = [];

    public ProcessorMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(EventideMeter.Name);
        Events = meter.CreateCounter<long>(
            "eventide_processor_events", "{event}", "Events the processor handled, by outcome");
        BatchEvents = meter.CreateHistogram<int>(
            "eventide_processor_batch_events", "{event}", "Events claimed per committed batch",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000] });
        BatchDuration = meter.CreateHistogram<double>(
            "eventide_processor_batch_duration_seconds", "s", "Time of one consume transaction, claim to commit",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        meter.CreateObservableGauge("eventide_processor_lag_events", ObserveLagEvents, "{event}", "Events waiting in the shard's inbox");
        meter.CreateObservableGauge("eventide_processor_lag_seconds", ObserveLagSeconds, "s", "Age of the oldest event waiting in the shard's inbox");
        meter.CreateObservableGauge("eventide_processor_shards_owned", ObserveShardsOwned, "{shard}", "Shards this process holds");
    }

    /// <summary>Tag <c>outcome</c> = stored | duplicate | dead_lettered.</summary>
    public Counter<long> Events { get; }

    public Histogram<int> BatchEvents { get; }

    public Histogram<double> BatchDuration { get; }

    internal void RecordBatch(ConsumeResult result, double seconds)
    {
        BatchEvents.Record(result.ClaimedEvents);
        BatchDuration.Record(seconds);
        Add(result.Stored.Count, "stored");
        Add(result.Duplicates.Count, "duplicate");
        var dead = 0;
        foreach (var d in result.DeadLettered)
        {
            dead += d.EventCount;
        }
        Add(dead, "dead_lettered");
    }

    internal void Attach(LocalShards local) => _members[local] = true;

    internal void Detach(LocalShards local) => _members.TryRemove(local, out _);

    /// <summary>The lag is the database's, the same for every member: the latest reading wins.</summary>
    internal void PublishLag(int shards, IReadOnlyList<ShardLag> lag) => _lag = new LagSnapshot(shards, lag);

    private void Add(int count, string outcome)
    {
        if (count > 0)
        {
            Events.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private IEnumerable<Measurement<long>> ObserveLagEvents() =>
        Observe(_lag, static l => l?.Events ?? 0);

    private IEnumerable<Measurement<double>> ObserveLagSeconds() =>
        Observe(_lag, static l => l?.OldestAgeSeconds ?? 0);

    private IEnumerable<Measurement<T>> Observe<T>(LagSnapshot? snapshot, Func<ShardLag?, T> value)
        where T : struct
    {
        if (snapshot is null)
        {
            yield break;
        }
        var tags = ShardTags(snapshot.Shards);
        var byShard = snapshot.Lag.ToDictionary(l => l.Shard);
        // Every shard is reported (0 when empty), so a drained shard's series
        // drops to zero instead of going stale; the shard count bounds the set.
        for (var shard = 0; shard < snapshot.Shards; shard++)
        {
            yield return new Measurement<T>(value(byShard.GetValueOrDefault(shard)), new KeyValuePair<string, object?>("shard", tags[shard]));
        }
    }

    private int ObserveShardsOwned() => _members.Keys.Sum(m => m.ShardCount);

    private string[] ShardTags(int shards)
    {
        var tags = _shardTags;
        if (tags.Length != shards)
        {
            tags = [.. Enumerable.Range(0, shards).Select(s => s.ToString(CultureInfo.InvariantCulture))];
            _shardTags = tags;
        }
        return tags;
    }

    private sealed record LagSnapshot(int Shards, IReadOnlyList<ShardLag> Lag);
}
