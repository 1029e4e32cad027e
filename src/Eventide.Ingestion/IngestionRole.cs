using Eventide.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Ingestion;

/// <summary>Wires the ingestion role into a host: its services and its endpoints.</summary>
public static class IngestionRole
{
    public static IServiceCollection AddEventideIngestion(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services;
    }

    public static IEndpointRouteBuilder MapEventideIngestion(this IEndpointRouteBuilder endpoints) => endpoints;
}
