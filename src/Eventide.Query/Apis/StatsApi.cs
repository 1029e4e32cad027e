using System.ComponentModel;
using Eventide.Core;
using Eventide.Query.Access;
using Eventide.Query.Contracts;
using Eventide.Query.Parameters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Query.Apis;

/// <summary>The simple compatibility endpoint: one site, one UTC day.</summary>
public static class StatsApi
{
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/stats", GetAsync)
            .WithTags("Compat")
            .WithName("GetStats")
            .WithSummary("Pageviews (the names in Eventide:Query:PageviewNames), unique users and the top 10 paths by pageviews of one site on one UTC day (default today).")
            .WithDescription("Same sources as the summary: events_1d for the day, users_1h for unique users.")
            .Produces<StatsResponse>()
            .ProducesQueryProblems()
            .Timed("stats");
        return endpoints;
    }

    private static async Task<IResult> GetAsync(
        [Description("The site (required).")] string? site_id,
        [Description("The UTC day as YYYY-MM-DD; default today (UTC).")] string? date,
        HttpContext context, SiteAccess access, AnalyticsStore store, EventideOptions options, TimeProvider time, CancellationToken ct)
    {
        if (site_id is null)
        {
            // Unauthenticated callers hear 401 before anything about parameters.
            var (_, unauthorized) = await access.AuthenticateAsync(context, ct);
            return unauthorized ?? Problems.BadRequest("'site_id' is required.");
        }
        if (await access.CheckAsync(context, site_id, ct) is { } denied)
        {
            return denied;
        }
        // The reporting seed reads GET /stats?site_id=demo without a date: today, as it documents.
        date ??= time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        if (QueryParameters.TryParseDate(date, out var day) is { } error)
        {
            return Problems.BadRequest(error);
        }
        var s = await store.SummaryAsync(site_id, new TimeRange(day, day.AddDays(1)), AnalyticsApi.DefaultTopLimit, QueryFilter.None,
            options.Query.PageviewNameList(), null, ct);
        return TypedResults.Ok(new StatsResponse(site_id, date, s.Pageviews, s.UniqueUsers, s.TopPaths.Select(p => new PathViews(p.Path, p.Pageviews)).ToList()));
    }
}
