using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Eventide.Server;

/// <summary>The gRPC endpoint of a running host, when it has one (ingestion role, GrpcListen set).</summary>
public sealed class GrpcListener
{
    internal ListenOptions? Endpoint { get; set; }

    /// <summary>http://host:port with the bound port (the real one when configured as 0); null without gRPC or before start.</summary>
    public Uri? Address => Endpoint?.IPEndPoint is { } ip ? new Uri($"http://{ip}") : null;
}
