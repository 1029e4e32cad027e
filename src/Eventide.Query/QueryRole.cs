using Eventide.Core;
using Eventide.Query.Access;
using Eventide.Query.Apis;
using Eventide.Query.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.OpenApi;

namespace Eventide.Query;

/// <summary>Wires the query role into a host: its services and its endpoints.</summary>
public static class QueryRole
{
    public const string OpenApiPath = "/openapi/v1.json";

    public static IServiceCollection AddEventideQuery(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<QueryMetrics>();
        services.AddSingleton<AnalyticsStore>();
        services.AddSingleton<SiteAccess>();
        services.AddSingleton<Live.LiveHub>();
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Eventide";
                document.Info.Description = "Event analytics: ingestion, query and admin APIs. Authenticate with 'Authorization: Bearer <key>'.";
                return Task.CompletedTask;
            });
            // The web JSON defaults read numbers from strings too, which the
            // generator shows as "integer or string"; the API writes integers.
            o.AddSchemaTransformer((schema, context, _) =>
            {
                var type = context.JsonTypeInfo.Type;
                if (Nullable.GetUnderlyingType(type) is { } inner)
                {
                    type = inner;
                }
                if (type == typeof(long) || type == typeof(int))
                {
                    schema.Type = JsonSchemaType.Integer | (schema.Type & JsonSchemaType.Null);
                    schema.Pattern = null;
                }
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static IEndpointRouteBuilder MapEventideQuery(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAnalyticsApi();
        endpoints.MapRawEventsApi();
        endpoints.MapLiveApi();
        endpoints.MapStatsApi();
        endpoints.MapOpenApi();
        if (endpoints is IApplicationBuilder app)
        {
            // Runs before the endpoints (WebApplication adds UseEndpoints last): /live over WebSocket.
            app.UseWebSockets();
            // Swagger UI's files are embedded in the package: /docs works offline.
            app.UseSwaggerUI(o =>
            {
                o.RoutePrefix = "docs";
                o.DocumentTitle = "Eventide API";
                o.SwaggerEndpoint(OpenApiPath, "Eventide v1");
            });
        }
        endpoints.MapEventideDashboard();
        return endpoints;
    }
}
