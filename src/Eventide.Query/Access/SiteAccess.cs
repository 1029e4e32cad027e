using Eventide.Storage;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Http;

namespace Eventide.Query.Access;

/// <summary>
/// Who may read a site, checked in order: 401 without a known key, 403 for a
/// write key or another site's read key, then 404 for a site that does not
/// exist. Existence is checked only after authorization, so a read key
/// cannot probe which other sites exist.
/// </summary>
public sealed class SiteAccess(ApiKeyAuthenticator authenticator, SiteStore sites)
{
    /// <summary>Returns the error to answer with, or null when the caller may read the site.</summary>
    public async Task<IResult?> CheckAsync(HttpContext context, string site, CancellationToken ct)
    {
        var (caller, unauthorized) = await AuthenticateAsync(context, ct);
        if (unauthorized is not null)
        {
            return unauthorized;
        }
        if (!caller.CanRead(site))
        {
            return Problems.Forbidden(caller.Kind == CallerKind.Write
                ? "Write keys cannot read; use the site's read key (evr_…)."
                : $"This read key belongs to site '{caller.Site}', not '{site}'.");
        }
        // A key's site exists (api_keys cascades from sites), so only the admin token needs
        // the lookup: a live endpoint with thousands of key holders must not query per request.
        if (!Core.SiteId.IsValid(site) || (caller.Kind == CallerKind.Admin && !await sites.ExistsAsync(site, ct)))
        {
            return Problems.NotFound(site);
        }
        return null;
    }

    /// <summary>The caller, or the 401 to answer with when the request has no known key.</summary>
    public async Task<(Caller Caller, IResult? Unauthorized)> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        var caller = await authenticator.AuthenticateHeaderAsync(context.Request.Headers.Authorization, ct);
        if (caller.Kind != CallerKind.None)
        {
            return (caller, null);
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return (caller, Problems.Unauthorized());
    }
}
