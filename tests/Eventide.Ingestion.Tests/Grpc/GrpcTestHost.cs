using Eventide.Core;
using Eventide.Ingestion.Grpc;
using Eventide.Server;
using Eventide.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Ingestion.Tests.Grpc;

/// <summary>The ingestion role as `eventide run` hosts it (HTTP and gRPC listeners on free loopback ports), with a client for each.</summary>
public sealed class GrpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestHost(WebApplication app)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = LoopbackKestrel.AddressOf(app), Timeout = TimeSpan.FromSeconds(30) };
        GrpcAddress = EventideHost.GrpcAddress(app) ?? throw new InvalidOperationException("the host serves no gRPC");
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        Client = new V1.Ingest.IngestClient(Channel);
    }

    public HttpClient Http { get; }

    public Uri GrpcAddress { get; }

    public GrpcChannel Channel { get; }

    public V1.Ingest.IngestClient Client { get; }

    public GrpcIngestMetrics Metrics => _app.Services.GetRequiredService<GrpcIngestMetrics>();

    public IServiceProvider Services => _app.Services;

    public static async Task<GrpcTestHost> StartAsync(EventideOptions options)
    {
        var quiet = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" }).Build();
        var app = EventideHost.Build(options, Role.Ingestion, "http://127.0.0.1:0", quiet);
        await app.StartAsync();
        return new GrpcTestHost(app);
    }

    public static Metadata Key(string? key) => key is null ? [] : new Metadata { { "authorization", "Bearer " + key } };

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
