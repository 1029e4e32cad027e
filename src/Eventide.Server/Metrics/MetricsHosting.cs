using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Eventide.Server.Metrics;

/// <summary>Wires metrics into a host: the exporter, runtime instruments, HTTP middleware, /metrics and optional OTLP.</summary>
public static class MetricsHosting
{
    public static IServiceCollection AddEventideMetrics(this IServiceCollection services, IConfiguration configuration, Role roles)
    {
        var telemetry = TelemetryOptions.Bind(configuration);
        RuntimeMetrics.EnsureCreated();
        services.AddMetrics();
        services.AddSingleton(sp => new PrometheusExporter(scope: sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<HttpMetrics>();
        if (telemetry.OtlpEndpoint.Length > 0)
        {
            services.AddSingleton(_ => OtlpExport.Build(telemetry, roles));
        }
        return services;
    }

    /// <summary>Call first after Build: starts collecting at once and times every request.</summary>
    public static WebApplication UseEventideMetrics(this WebApplication app)
    {
        // Resolving starts the listeners now, not at the first scrape, so early requests count.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.Services.GetService<MeterProvider>();
        var http = app.Services.GetRequiredService<HttpMetrics>();
        app.Use(http.RecordAsync);
        app.MapMetricsApi();
        return app;
    }
}
