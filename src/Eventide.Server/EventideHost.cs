using Eventide.Core;
using Eventide.Ingestion;
using Eventide.Ingestion.Grpc;
using Eventide.Processor;
using Eventide.Query;
using Eventide.Server.Metrics;
using Eventide.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;

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
        var grpc = new GrpcListener();
        var serveGrpc = roles.HasFlag(Role.Ingestion) && options.Ingestion.GrpcEnabled;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            KestrelListen.Add(k, listen, HttpProtocols.Http1AndHttp2);
            if (serveGrpc)
            {
                grpc.Endpoint = KestrelListen.Add(k, options.Ingestion.GrpcListen, HttpProtocols.Http2);
            }
        });
        builder.Services.AddSingleton(grpc);
        builder.Services.AddSingleton(options);
        builder.Services.AddProblemDetails();
        builder.Services.AddEventideStorage(options);
        // Observability: OpenTelemetry metrics, /metrics for Prometheus, optional OTLP (Metrics/MetricsHosting.cs).
        builder.Services.AddEventideMetrics(builder.Configuration, roles);
        if (roles.HasFlag(Role.Ingestion))
        {
            builder.Services.AddEventideIngestion(options);
        }
        if (serveGrpc)
        {
            builder.Services.AddEventideGrpc(options);
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
        // Every error answer is problem+json (RFC 9457), also the 404 of an
        // unknown path and the 405 of a wrong method, which routing leaves empty.
        app.UseStatusCodePages();
        app.UseEventideMetrics();
        app.MapHealthApi(roles);
        if (roles.HasFlag(Role.Ingestion))
        {
            app.MapEventideIngestion();
        }
        if (serveGrpc)
        {
            app.MapEventideGrpc();
        }
        if (roles.HasFlag(Role.Processor))
        {
            app.MapEventideProcessor();
        }
        if (roles.HasFlag(Role.Query))
        {
            app.UseDocsPageWithoutRedirect();
            app.MapEventideQuery();
        }
        return app;
    }

    /// <summary>The bound gRPC address (http://127.0.0.1:port), or null when the host serves no gRPC.</summary>
    public static Uri? GrpcAddress(WebApplication app) => app.Services.GetRequiredService<GrpcListener>().Address;
}
