using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Processor.Apis;

/// <summary>Admin endpoints take only the admin token: 401 without a known key, 403 for a site key.</summary>
internal static class AdminAccess
{
    public static RouteGroupBuilder RequireAdminToken(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var authenticator = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
            var caller = await authenticator.AuthenticateHeaderAsync(http.Request.Headers.Authorization, http.RequestAborted);
            if (caller.Kind == CallerKind.None)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                    detail: "Send the admin token as 'Authorization: Bearer <token>' (configured as Eventide:Admin:Token).");
            }
            if (caller.Kind != CallerKind.Admin)
            {
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: "This is an admin endpoint: site write and read keys cannot use it; send the admin token.");
            }
            return await next(context);
        });
}
