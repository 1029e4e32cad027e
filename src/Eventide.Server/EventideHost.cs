using Eventide.Core;
using Eventide.Ingestion;
using Eventide.Processor;
using Eventide.Query;
using Eventide.Server.Metrics;
using Eventide.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Eventide.Server;

/// <summary>Builds the HTTP host for a set of roles; used by `eventide run` and by tests in-process.</summary>
public static class EventideHost
{
    public static WebApplication Build(EventideOptions options, Role roles, string listen, IConfiguration? configuration = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (configuration is not null)
        {
            builder.Configuration.AddConfiguration(configuration);
        }
        builder.WebHost.UseUrls(listen);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.AddSingleton(options);
        builder.Services.AddProblemDetails();
        builder.Services.AddEventideStorage(options);
        // Observability: OpenTelemetry metrics, /metrics for Prometheus, optional OTLP (Metrics/MetricsHosting.cs).
        builder.Services.AddEventideMetrics(builder.Configuration, roles);
        if (roles.HasFlag(Role.Ingestion))
        {
            builder.Services.AddEventideIngestion(options);
        }
        if (roles.HasFlag(Role.Processor))
        {
            builder.Services.AddEventideProcessor(options);
        }
        if (roles.HasFlag(Role.Query))
        {
            builder.Services.AddEventideQuery(options);
        }

        var app = builder.Build();
        app.UseEventideMetrics();
        app.MapHealthApi(roles);
        if (roles.HasFlag(Role.Ingestion))
        {
            app.MapEventideIngestion();
        }
        if (roles.HasFlag(Role.Processor))
        {
            app.MapEventideProcessor();
        }
        if (roles.HasFlag(Role.Query))
        {
            app.MapEventideQuery();
        }
        return app;
    }

    /// <summary>The first address Kestrel bound (the real port when listening on port 0).</summary>
    public static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
