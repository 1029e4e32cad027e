using Eventide.Core;
using Eventide.Query.Parameters;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Query.Access;

/// <summary>
/// The route-group filter of /v1/sites/{site}/: the access check for every handler, then the
/// parsing of the shared <see cref="SiteQuery"/> parameters of those that take them, so
/// neither is repeated in a handler.
/// </summary>
public static class SiteQueryFilter
{
    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var site = http.GetRouteValue("site") as string ?? "";
        if (await services.GetRequiredService<SiteAccess>().CheckAsync(http, site, http.RequestAborted) is { } denied)
        {
            return denied;
        }
        foreach (var argument in context.Arguments)
        {
            if (argument is SiteQuery query)
            {
                var options = services.GetRequiredService<EventideOptions>();
                var limit = http.GetEndpoint()?.Metadata.GetMetadata<QueryLimit>() ?? QueryLimit.Top;
                if (query.Bind(services.GetRequiredService<TimeProvider>().GetUtcNow(), options.Query.MaxRangeDays, limit) is { } error)
                {
                    return Problems.BadRequest(error);
                }
            }
        }
        return await next(context);
    }
}
