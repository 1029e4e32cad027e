using System.Diagnostics.Metrics;
using Eventide.Core;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Eventide.Server.Metrics;

/// <summary>
/// Wires metrics into a host with the OpenTelemetry SDK: the Eventide meter,
/// ASP.NET Core, runtime, process and Npgsql instrumentation, the Prometheus
/// scraping endpoint at /metrics and, when configured, OTLP export.
/// </summary>
public static class MetricsHosting
{
    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddEventideMetrics(this IServiceCollection services, IConfiguration configuration, Role roles)
    {
        var telemetry = TelemetryOptions.Bind(configuration);
        services.AddMetrics();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("eventide", serviceVersion: typeof(MetricsHosting).Assembly.GetName().Version?.ToString())
                .AddAttributes([new("eventide.roles", roles.ToString().ToLowerInvariant())]))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(EventideMeter.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .ConfigureServices(s => s.Configure<PrometheusAspNetCoreOptions>(o => o.ScrapeEndpointPath = ScrapePath))
                    .AddPrometheusExporter();
                // The view needs this host's IMeterFactory, known once the container is built.
                ((IDeferredMeterProviderBuilder)metrics).Configure((sp, builder) =>
                {
                    var own = sp.GetRequiredService<IMeterFactory>();
                    builder.AddView(instrument => MetricViews.Select(instrument, own));
                });
                if (telemetry.OtlpEndpoint.Length > 0)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = OtlpEndpoint(telemetry);
                        exporter.Protocol = telemetry.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = telemetry.OtlpExportIntervalMs;
                    });
                }
            });
        return services;
    }

    /// <summary>Call first after Build: starts collecting at once and serves /metrics.</summary>
    public static WebApplication UseEventideMetrics(this WebApplication app)
    {
        // Resolving the provider starts its listeners now, not at the first scrape, so early requests count.
        var provider = app.Services.GetRequiredService<MeterProvider>();
        // The exporter answers OpenMetrics when the scraper accepts it (Prometheus
        // does by default). Eventide serves the classic text format only: its names
        // are what the dashboards and alerts use, and it is what promtool checks.
        app.MapPrometheusScrapingEndpoint(ScrapePath, provider, branch => branch.Use((context, next) =>
        {
            context.Request.Headers.Accept = "text/plain";
            return next(context);
        }), optionsName: null!);
        return app;
    }

    private static Uri OtlpEndpoint(TelemetryOptions telemetry)
    {
        var uri = new Uri(telemetry.OtlpEndpoint);
        // Set in code, the HTTP exporter uses the endpoint as given, so the signal path is ours to add.
        return telemetry.OtlpProtocol != "grpc" && uri.AbsolutePath is "" or "/" ? new Uri(uri, "/v1/metrics") : uri;
    }
}
