using System.Diagnostics.Metrics;
using Eventide.Core;

namespace Eventide.Query;

/// <summary>The query role's instruments on the <see cref="EventideMeter.Name"/> meter of the host's IMeterFactory.</summary>
public sealed class QueryMetrics
{
    public QueryMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(EventideMeter.Name);
        Duration = meter.CreateHistogram<double>(
            "eventide_query_duration_seconds", unit: "s", description: "Time to answer a query API request.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        LiveStreams = meter.CreateUpDownCounter<long>(
            "eventide_query_live_streams", "{stream}", "Live streams being served.");
    }

    /// <summary>Time to answer one query request, tagged by endpoint (route name); never by site.</summary>
    public Histogram<double> Duration { get; }

    /// <summary>Live (server-sent events) streams open now.</summary>
    public UpDownCounter<long> LiveStreams { get; }
}
