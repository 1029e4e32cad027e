using Eventide.Core;
using Eventide.Processor.Cluster;
using Eventide.Server;
using Eventide.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Processor.Tests;

/// <summary>An in-process processor (its own host, NpgsqlDataSource and member id) serving HTTP on a loopback port.</summary>
internal sealed class ProcessorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private ProcessorHost(WebApplication app)
    {
        _app = app;
        Local = app.Services.GetRequiredService<LocalShards>();
        Http = new HttpClient { BaseAddress = LoopbackKestrel.AddressOf(app) };
    }

    /// <summary>The shards consumed by this member right now.</summary>
    public LocalShards Local { get; }

    public IServiceProvider Services => _app.Services;

    public HttpClient Http { get; }

    public bool Stopped => _stopped;

    /// <summary>
    /// Starts the host and returns once the member has started sharding:
    /// the keeper does that in the background after the host started, and
    /// until then the admin endpoints that need the shard count answer 503.
    /// </summary>
    public static async Task<ProcessorHost> StartAsync(EventideOptions options)
    {
        var app = EventideHost.Build(options, Role.Processor, "http://127.0.0.1:0");
        await app.StartAsync();
        var state = app.Services.GetRequiredService<ProcessorClusterState>();
        await Eventually.WaitAsync(() => Task.FromResult(state.Shards > 0), TimeSpan.FromSeconds(30), "the processor to start sharding");
        return new ProcessorHost(app);
    }

    /// <summary>Graceful stop, as on SIGTERM: commit in-flight batches, release the shards, leave.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
