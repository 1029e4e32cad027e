using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Query.Dashboard;

/// <summary>
/// The site owner's dashboard: GET /dashboard (one page; `/` redirects to it), its hashed
/// assets under /dashboard/assets/, GET /v1/sites (the sites a key may read, for the site
/// picker), and the WebSocket key hand-over the page's live streams need.
/// </summary>
public static class DashboardApp
{
    public const string Path = "/dashboard";

    /// <summary>
    /// Only the page's own files and API: no inline script or style (Vite emits none), no
    /// other origin, nothing may frame the page. 'self' in connect-src covers ws:/wss: to
    /// the same host (CSP Level 3).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Vite names every asset after its content hash, so a name never changes meaning.</summary>
    public const string ImmutableCache = "public, max-age=31536000, immutable";

    public static IEndpointRouteBuilder MapEventideDashboard(this IEndpointRouteBuilder endpoints)
    {
        var assets = DashboardAssets.Load(typeof(DashboardApp).Assembly);
        endpoints.MapGet("/", () => Results.Redirect(Path)).ExcludeFromDescription();
        endpoints.MapGet(Path, (HttpContext context) => ServeIndex(context, assets)).ExcludeFromDescription();
        endpoints.MapGet(Path + "/assets/{*file}", (string file, HttpContext context) =>
            assets.Asset(file) is { } asset ? Serve(context, asset, ImmutableCache) : DashboardProblems.UnknownAsset(context.Request.Path))
            .ExcludeFromDescription();
        endpoints.MapSitesApi();
        if (endpoints is IApplicationBuilder app)
        {
            // After UseWebSockets (it provides the feature this wraps), before the endpoints run.
            app.UseMiddleware<WebSocketBearerMiddleware>();
        }
        return endpoints;
    }

    private static IResult ServeIndex(HttpContext context, DashboardAssets assets) =>
        assets.Index is { } index
            ? Serve(context, index, "no-cache")
            : DashboardProblems.NotBuilt();

    private static IResult Serve(HttpContext context, DashboardAsset asset, string cacheControl)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = cacheControl;
        headers.ETag = asset.ETag;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
