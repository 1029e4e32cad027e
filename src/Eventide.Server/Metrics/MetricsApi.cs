namespace Eventide.Server.Metrics;

public static class MetricsApi
{
    /// <summary>/metrics: every Eventide instrument in the Prometheus text format.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), PrometheusText.ContentType))
            .WithName("Metrics").WithSummary("Prometheus metrics of this process (text format 0.0.4).").ExcludeFromDescription();
        return endpoints;
    }
}
