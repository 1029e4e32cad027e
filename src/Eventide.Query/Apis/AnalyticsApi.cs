using System.ComponentModel;
using System.Text.Json;
using System.Xml;
using Eventide.Core;
using Eventide.Query.Access;
using Eventide.Query.Contracts;
using Eventide.Query.Parameters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Query.Apis;

/// <summary>Summary, timeseries, breakdown and funnel under /v1/sites/{site}/.</summary>
public static class AnalyticsApi
{
    public const int DefaultTopLimit = 10;
    public const int MaxLimit = 1000;
    public const int MaxFunnelSteps = 10;

    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapSiteGroup("Analytics");

        group.MapGet("/summary", SummaryAsync)
            .WithName("GetSummary")
            .WithSummary("Totals for a range: events, pageviews, unique users, top paths and top event names, with the previous period of the same length, the change of each figure and an optional goal's conversion rate.")
            .WithDescription("Counts from events_1d/1h/1m (raw events only for sub-minute edges, or for all with a property filter); unique users from users_1h plus raw events for partial edge hours (raw events with any filter). Pageviews are the names in Eventide:Query:PageviewNames. conversion_rate = goal_users / unique_users.")
            .Produces<SummaryResponse>()
            .ProducesQueryProblems()
            .Timed("summary");

        group.MapGet("/timeseries", TimeseriesAsync)
            .WithName("GetTimeseries")
            .WithSummary("Events, unique users and optionally a numeric metric (sum:/avg: of a property) per minute, hour or day bucket; empty buckets are zeros.")
            .WithDescription("Events from the aggregate of the interval's width or finer (raw events with a property filter); unique users from users_1h for hour/day points, raw events for minute points or with any filter; metrics from raw events. At most 10 000 points.")
            .Produces<TimeseriesResponse>()
            .ProducesQueryProblems()
            .Timed("timeseries");

        group.MapGet("/breakdown", BreakdownAsync)
            .WithName("GetBreakdown")
            .WithSummary("Events per path, event name, referrer, user or property value, most first; optionally with a numeric metric per row.")
            .WithDescription("by=path|name from the aggregates unless a property filter or a metric needs raw events; by=property:<key> (with or without name= and metric=) from the property-day aggregate for materialized whole days in plain mode and raw events for the rest; by=referrer|user, and property breakdowns with path= or property filters, from raw events. With metric=sum:<p>|avg:<p> rows are ordered by the metric's value.")
            .Produces<BreakdownResponse>()
            .ProducesQueryProblems()
            .Timed("breakdown");

        group.MapPost("/funnel", FunnelAsync)
            .WithName("PostFunnel")
            .WithSummary("Users reaching each of ordered steps within a window from their first step, and conversion from step 1.")
            .WithDescription("From raw events. Per user: anchor = earliest step-1 event in the range; each next step = earliest matching event strictly after the previous one and at most `window` after the anchor.")
            .Accepts<FunnelRequest>("application/json")
            .Produces<FunnelResponse>()
            .ProducesQueryProblems()
            .Timed("funnel");
        return endpoints;
    }

    private static async Task<IResult> SummaryAsync(
        [AsParameters] SiteQuery query,
        [Description("A goal event name: the answer adds goal_users (users who sent it) and conversion_rate = goal_users / unique_users, for both periods.")] string? goal,
        AnalyticsStore store, EventideOptions options, CancellationToken ct)
    {
        if (goal is { Length: 0 or > 128 })
        {
            return Problems.BadRequest("'goal' must be an event name of 1-128 characters.");
        }
        var range = query.Range;
        var previousRange = new TimeRange(range.From - range.Length, range.From);
        var names = options.Query.PageviewNameList();
        var periods = await store.SummariesAsync(query.Site, [(range, query.Top), (previousRange, 1)], query.Where, names, goal, ct);
        var (s, p) = (periods[0], periods[1]);
        var rate = Rate(s);
        var previousRate = Rate(p);
        var change = new SummaryChange(Change.Of(s.Events, p.Events), Change.Of(s.Pageviews, p.Pageviews), Change.Of(s.UniqueUsers, p.UniqueUsers),
            goal is null ? null : Change.Of(rate ?? 0, previousRate ?? 0));
        return TypedResults.Ok(new SummaryResponse(query.Site, range.From, range.To, s.Events, s.Pageviews, s.UniqueUsers, s.TopPaths, s.TopEvents,
            goal, s.GoalUsers, rate,
            new PeriodTotals(previousRange.From, previousRange.To, p.Events, p.Pageviews, p.UniqueUsers, p.GoalUsers, previousRate), change));
    }

    /// <summary>Goal users per unique user; 0 when the period has no users, null without a goal.</summary>
    private static double? Rate(SummaryResult s) =>
        s.GoalUsers is not { } goal ? null : s.UniqueUsers == 0 ? 0 : (double)goal / s.UniqueUsers;

    private static async Task<IResult> TimeseriesAsync(
        [AsParameters] SiteQuery query,
        [Description("minute, hour (default) or day; buckets are UTC-aligned.")] string? interval,
        [Description("count (default), sum:<property> or avg:<property>: adds value and skipped to each point; values that are not JSON numbers are skipped and counted.")] string? metric,
        AnalyticsStore store, CancellationToken ct)
    {
        var width = Granularity.Hour;
        Metric? parsedMetric = null;
        var error = QueryParameters.TryParseInterval(interval, out width)
            ?? QueryParameters.CheckBuckets(query.Range, width)
            ?? QueryParameters.TryParseMetric(metric, out parsedMetric);
        if (error is not null)
        {
            return Problems.BadRequest(error);
        }
        var points = await store.TimeseriesAsync(query.Site, query.Range, width, query.Where, parsedMetric, ct);
        return TypedResults.Ok(new TimeseriesResponse(query.Site, query.Range.From, query.Range.To, width.ToString().ToLowerInvariant(), query.Name,
            parsedMetric?.ToString() ?? "count", points, parsedMetric is null ? null : points.Sum(p => p.Skipped ?? 0)));
    }

    private static async Task<IResult> BreakdownAsync(
        [AsParameters] SiteQuery query,
        [Description("path, name, referrer, user (top users) or property:<key> (e.g. property:country); required.")] string? by,
        [Description("count (default), sum:<property> or avg:<property>: adds value and skipped to each row and orders rows by value.")] string? metric,
        AnalyticsStore store, CancellationToken ct)
    {
        BreakdownKey? key = null;
        Metric? parsedMetric = null;
        var error = QueryParameters.TryParseBreakdown(by, out key) ?? QueryParameters.TryParseMetric(metric, out parsedMetric);
        if (error is not null)
        {
            return Problems.BadRequest(error);
        }
        var rows = await store.BreakdownAsync(query.Site, query.Range, key!, query.Where, parsedMetric, query.Top, ct);
        return TypedResults.Ok(new BreakdownResponse(query.Site, query.Range.From, query.Range.To, by!, parsedMetric?.ToString() ?? "count", rows,
            parsedMetric is null ? null : rows.Sum(r => r.Skipped ?? 0)));
    }

    private static async Task<IResult> FunnelAsync(
        [Description("The site id.")] string site,
        [Description("Start of the range when the body has no 'from' (RFC 3339).")] string? from,
        [Description("End of the range when the body has no 'to' (RFC 3339).")] string? to,
        HttpContext context, AnalyticsStore store, EventideOptions options, TimeProvider time, CancellationToken ct)
    {
        FunnelRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<FunnelRequest>(context.Request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest($"The body must be a JSON object like {{\"steps\":[{{\"name\":\"pageview\"}},{{\"name\":\"signup\"}}],\"window\":\"PT1H\"}}: {e.Message}");
        }
        if (request is null)
        {
            return Problems.BadRequest("The body must be a JSON object with 'steps' and 'window' or 'window_seconds'.");
        }
        FunnelDefinition? funnel = null;
        var error = QueryParameters.TryParseRange(request.From ?? from, request.To ?? to, time.GetUtcNow(), options.Query.MaxRangeDays, out var range)
            ?? TryParseFunnel(request, options.Query.MaxRangeDays, out funnel);
        if (error is not null)
        {
            return Problems.BadRequest(error);
        }
        var users = await store.FunnelAsync(site, range, funnel!, ct);
        var steps = funnel!.Steps.Select((step, i) => new FunnelStepResult(
            step.Name, step.Path, users[i], users[0] == 0 ? 0 : (double)users[i] / users[0])).ToList();
        return TypedResults.Ok(new FunnelResponse(site, range.From, range.To, (long)funnel.Window.TotalSeconds, steps));
    }

    internal static string? TryParseFunnel(FunnelRequest request, int maxRangeDays, out FunnelDefinition? funnel)
    {
        funnel = null;
        if (request.Steps is not { Count: > 0 } steps || steps.Count > MaxFunnelSteps)
        {
            return $"'steps' must list 1 to {MaxFunnelSteps} steps, each {{\"name\": \"...\", \"path\": \"...\" (optional)}}.";
        }
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is null || steps[i].Name is not { Length: > 0 and <= 128 })
            {
                return $"steps[{i}].name is required (1-128 characters).";
            }
            if (steps[i].Path is { Length: 0 or > 2048 })
            {
                return $"steps[{i}].path must be 1-2048 characters when given.";
            }
        }
        TimeSpan window;
        if (request.Window is not null && request.WindowSeconds is not null)
        {
            return "Give either 'window' (ISO 8601 duration, e.g. PT1H) or 'window_seconds', not both.";
        }
        if (request.Window is { } text)
        {
            try
            {
                window = XmlConvert.ToTimeSpan(text);
            }
            catch (FormatException)
            {
                return $"'window' must be an ISO 8601 duration such as PT30M, PT1H or P1D; got '{text}'.";
            }
        }
        else if (request.WindowSeconds is { } seconds)
        {
            if (seconds is < 1 or > int.MaxValue)
            {
                return $"'window_seconds' must be positive; got {seconds}.";
            }
            window = TimeSpan.FromSeconds(seconds);
        }
        else
        {
            return "Give the funnel window as 'window' (ISO 8601 duration, e.g. PT1H) or 'window_seconds'.";
        }
        if (window <= TimeSpan.Zero || window > TimeSpan.FromDays(maxRangeDays))
        {
            return $"The funnel window must be positive and at most {maxRangeDays} days; got {window}.";
        }
        funnel = new FunnelDefinition(steps.Select(s => new FunnelStepMatch(s.Name!, s.Path)).ToList(), window);
        return null;
    }
}
