using Eventide.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Query;

/// <summary>Wires the query role into a host: its services and its endpoints.</summary>
public static class QueryRole
{
    public static IServiceCollection AddEventideQuery(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services;
    }

    public static IEndpointRouteBuilder MapEventideQuery(this IEndpointRouteBuilder endpoints) => endpoints;
}
