using Eventide.Query.Access;
using Eventide.Storage;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Query.Dashboard;

/// <summary>
/// GET /v1/sites: which sites the caller may read. The dashboard asks it once with the key
/// it was given, to learn whether that is the admin token (a site picker) or a read key
/// (its one site). It reveals no site to a read key but its own.
/// </summary>
internal static class SitesApi
{
    public static IEndpointRouteBuilder MapSitesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/sites", ListAsync)
            .WithTags("Sites")
            .WithName("ListReadableSites")
            .WithSummary("The sites this key may read: every site for the admin token (admin: true), the key's own site for a read key.")
            .Produces<SiteListResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(HttpContext context, SiteAccess access, SiteStore sites, CancellationToken ct)
    {
        var (caller, unauthorized) = await access.AuthenticateAsync(context, ct);
        if (unauthorized is not null)
        {
            return unauthorized;
        }
        return caller.Kind switch
        {
            CallerKind.Admin => Results.Ok(new SiteListResponse(true, [.. (await sites.ListAsync(ct)).Select(s => s.Site).Order(StringComparer.Ordinal)])),
            CallerKind.Read => Results.Ok(new SiteListResponse(false, [caller.Site!])),
            _ => DashboardProblems.WriteKey(),
        };
    }
}
