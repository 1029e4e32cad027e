using Eventide.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Processor;

/// <summary>Wires the processor role into a host: its services and its endpoints.</summary>
public static class ProcessorRole
{
    public static IServiceCollection AddEventideProcessor(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services;
    }

    public static IEndpointRouteBuilder MapEventideProcessor(this IEndpointRouteBuilder endpoints) => endpoints;
}
