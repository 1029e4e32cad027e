using System.Net;
using Eventide.Operator.Reconciliation;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Eventide.Operator.Hosting;

/// <summary>
/// The operator's process: the Generic Host (through ASP.NET Core) running the
/// controller, with <c>/healthz</c> (liveness), <c>/readyz</c> (readiness) and
/// <c>/metrics</c> (Prometheus text) on one port.
/// </summary>
public static class OperatorHost
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <param name="port">Port of the health and metrics endpoints; 0 picks a free one (tests).</param>
    /// <param name="lagReader">Reads a pipeline's lag; null reads it over HTTP from the pipeline's query Service.</param>
    public static WebApplication Build(KubernetesClientConfiguration config, OperatorOptions options, int port, TimeProvider clock, ILagReader? lagReader = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Any, port));
        // The controller gives the Lease up on stop; allow it the time a release needs.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(clock);
        services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(config));
        services.AddSingleton<ILock>(sp => new LeaseLock(sp.GetRequiredService<IKubernetes>(), options.LeaseNamespace, options.LeaseName, options.Identity));
        services.AddHttpClient();
        services.AddSingleton(sp => lagReader ?? new HttpLagReader(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<IHttpClientFactory>().CreateClient("lag")));
        services.AddSingleton<OperatorMetrics>();
        services.AddSingleton<OperatorController>();
        services.AddHostedService<ControllerService>();
        services.AddHealthChecks()
            .AddCheck("process", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(), [LiveTag])
            .AddCheck<LeaderElectionHealthCheck>("leader-election", tags: [ReadyTag]);
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(OperatorMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
