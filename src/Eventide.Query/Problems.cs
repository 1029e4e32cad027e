using Microsoft.AspNetCore.Http;

namespace Eventide.Query;

/// <summary>RFC 9457 problem responses with a detail a person can act on.</summary>
internal static class Problems
{
    public static IResult BadRequest(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid query parameter");

    public static IResult Unauthorized() =>
        Results.Problem(
            detail: "Send a read key of the site or the admin token as 'Authorization: Bearer <key>'.",
            statusCode: StatusCodes.Status401Unauthorized, title: "Missing or unknown API key");

    public static IResult Forbidden(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Key does not allow this");

    public static IResult NotFound(string site) =>
        Results.Problem(detail: $"Site '{site}' does not exist; create it with `eventide sites create {site}`.",
            statusCode: StatusCodes.Status404NotFound, title: "Unknown site");
}
