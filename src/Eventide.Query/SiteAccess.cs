using Eventide.Storage;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Http;

namespace Eventide.Query;

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
        var caller = await authenticator.AuthenticateHeaderAsync(context.Request.Headers.Authorization, ct);
        if (caller.Kind == CallerKind.None)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized();
        }
        if (!caller.CanRead(site))
        {
            return Problems.Forbidden(caller.Kind == CallerKind.Write
                ? "Write keys cannot read; use the site's read key (evr_…)."
                : $"This read key belongs to site '{caller.Site}', not '{site}'.");
        }
        if (!Core.SiteId.IsValid(site) || !await sites.ExistsAsync(site, ct))
        {
            return Problems.NotFound(site);
        }
        return null;
    }
}
