using System.Diagnostics.Metrics;

namespace Eventide.Query;

/// <summary>The query role's instruments on the shared "Eventide" meter.</summary>
public static class QueryMetrics
{
    private static readonly Meter Meter = new("Eventide");

    /// <summary>Time to answer one query request, tagged by endpoint (route name); never by site.</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "eventide_query_duration_seconds", unit: "s", description: "Time to answer a query API request.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>Live (server-sent events) streams open now.</summary>
    public static readonly UpDownCounter<long> LiveStreams = Meter.CreateUpDownCounter<long>(
        "eventide_query_live_streams", description: "Live streams being served.");
}
