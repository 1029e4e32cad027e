using System.Diagnostics;
using Eventide.Query.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Query.Apis;

internal static class EndpointConventions
{
    /// <summary>/v1/sites/{site}/ with the access check and shared parameter parsing of <see cref="SiteQueryFilter"/>.</summary>
    public static RouteGroupBuilder MapSiteGroup(this IEndpointRouteBuilder endpoints, string tag)
    {
        var group = endpoints.MapGroup("/v1/sites/{site}").WithTags(tag);
        group.AddEndpointFilter(SiteQueryFilter.InvokeAsync);
        return group;
    }

    /// <summary>Declares the problem responses every query endpoint can give: 400, 401, 403, 404.</summary>
    public static RouteHandlerBuilder ProducesQueryProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>Records eventide_query_duration_seconds{endpoint} around the handler.</summary>
    public static RouteHandlerBuilder Timed(this RouteHandlerBuilder builder, string endpoint) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                return await next(context);
            }
            finally
            {
                context.HttpContext.RequestServices.GetRequiredService<QueryMetrics>().Duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new KeyValuePair<string, object?>("endpoint", endpoint));
            }
        });
}
