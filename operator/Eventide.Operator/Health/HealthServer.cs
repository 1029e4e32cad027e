using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Health;

/// <summary>
/// The kubelet's probes: <c>/healthz</c> answers while the process serves
/// HTTP (liveness), <c>/readyz</c> while the leader-election loop reaches the
/// API server (readiness). A standby is ready too: readiness says "this
/// replica works", not "this replica leads", or a rollout of two replicas
/// would wait forever for the standby.
/// </summary>
public sealed class HealthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HealthServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The bound port (useful when started on port 0).</summary>
    public int Port { get; }

    public static async Task<HealthServer> StartAsync(int port, Func<bool> ready, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.ListenAnyIP(port));
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => ready()
            ? Results.Text("ok\n")
            : Results.Text("not ready: the leader election has not reached the API server recently\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new HealthServer(app, new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
