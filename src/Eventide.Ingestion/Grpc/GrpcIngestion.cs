using Eventide.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Ingestion.Grpc;

/// <summary>Wires gRPC ingestion (eventide.v1.Ingest, grpc.health.v1, server reflection) into a host.</summary>
public static class GrpcIngestion
{
    /// <summary>The service name clients, health probes and reflection see.</summary>
    public const string ServiceName = "eventide.v1.Ingest";

    public static IServiceCollection AddEventideGrpc(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddGrpc(o =>
        {
            // The same cap as an HTTP body: a larger message fails the call with RESOURCE_EXHAUSTED
            // before it is buffered whole.
            o.MaxReceiveMessageSize = options.Ingestion.MaxBodyBytes;
            o.EnableDetailedErrors = false;
        });
        services.AddSingleton<GrpcIngestMetrics>();
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(o => o.Services.Map(ServiceName, _ => true))
            .AddCheck<ReadinessHealthCheck>("readiness");
        return services;
    }

    public static IEndpointRouteBuilder MapEventideGrpc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<IngestService>();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        return endpoints;
    }
}
