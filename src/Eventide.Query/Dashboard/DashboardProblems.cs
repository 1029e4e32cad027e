using Microsoft.AspNetCore.Http;

namespace Eventide.Query.Dashboard;

/// <summary>The dashboard's RFC 9457 answers.</summary>
internal static class DashboardProblems
{
    public static IResult UnknownAsset(PathString path) =>
        Results.Problem(detail: $"'{path}' is not a file of this build of the dashboard; reload {DashboardApp.Path}.",
            statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult NotBuilt() =>
        Results.Problem(
            detail: "This eventide binary was built without the dashboard (-p:EventideDashboard=false); build it with Node.js 20 and npm on PATH.",
            statusCode: StatusCodes.Status404NotFound, title: "Dashboard not built");

    public static IResult WriteKey() =>
        Results.Problem(detail: "Write keys cannot read; use the site's read key (evr_…) or the admin token.",
            statusCode: StatusCodes.Status403Forbidden, title: "Key does not allow this");
}
