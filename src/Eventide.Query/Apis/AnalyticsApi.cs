using System.ComponentModel;
using System.Text.Json;
using System.Xml;
using Eventide.Core;
using Eventide.Query.Contracts;
using Eventide.Query.Data;
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
        var group = endpoints.MapGroup("/v1/sites/{site}").WithTags("Analytics");

        group.MapGet("/summary", SummaryAsync)
            .WithName("GetSummary")
            .WithSummary("Totals for a range: events, pageviews, unique users, top paths and top event names.")
            .WithDescription("Counts from events_1d/1h/1m (raw events only for sub-minute edges); unique users from users_1h plus raw events for partial edge hours.")
            .Produces<SummaryResponse>()
            .ProducesQueryProblems()
            .Timed("summary");

        group.MapGet("/timeseries", TimeseriesAsync)
            .WithName("GetTimeseries")
            .WithSummary("Events and unique users per minute, hour or day bucket; empty buckets are zeros.")
            .WithDescription("Events from the aggregate of the interval's width or finer; unique users from users_1h for hour/day points, raw events for minute points or with a name filter. At most 10 000 points.")
            .Produces<TimeseriesResponse>()
            .ProducesQueryProblems()
            .Timed("timeseries");

        group.MapGet("/breakdown", BreakdownAsync)
            .WithName("GetBreakdown")
            .WithSummary("Events per path, event name or referrer, most first.")
            .WithDescription("by=path|name from the aggregates; by=referrer from raw events (the aggregates have no referrer).")
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
        string site,
        [Description("Start of the range, inclusive (RFC 3339). Omit from and to for the last 24 hours.")] string? from,
        [Description("End of the range, exclusive (RFC 3339).")] string? to,
        [Description("Entries in top_paths and top_events, 1-1000, default 10.")] string? limit,
        HttpContext context, SiteAccess access, AnalyticsStore store, EventideOptions options, TimeProvider time, CancellationToken ct)
    {
        if (await access.CheckAsync(context, site, ct) is { } denied)
        {
            return denied;
        }
        var top = DefaultTopLimit;
        var error = QueryParameters.TryParseRange(from, to, time.GetUtcNow(), options.Query.MaxRangeDays, out var range)
            ?? QueryParameters.TryParseLimit(limit, DefaultTopLimit, MaxLimit, out top);
        if (error is not null)
        {
            return Problems.BadRequest(error);
        }
        var s = await store.SummaryAsync(site, range, top, ct);
        return TypedResults.Ok(new SummaryResponse(site, range.From, range.To, s.Events, s.Pageviews, s.UniqueUsers, s.TopPaths, s.TopEvents));
    }

    private static async Task<IResult> TimeseriesAsync(
        string site,
        [Description("Start of the range, inclusive (RFC 3339).")] string? from,
        [Description("End of the range, exclusive (RFC 3339).")] string? to,
        [Description("minute, hour (default) or day; buckets are UTC-aligned.")] string? interval,
        [Description("Only events with this name.")] string? name,
        HttpContext context, SiteAccess access, AnalyticsStore store, EventideOptions options, TimeProvider time, CancellationToken ct)
    {
        if (await access.CheckAsync(context, site, ct) is { } denied)
        {
            return denied;
        }
        var width = Granularity.Hour;
        var error = QueryParameters.TryParseRange(from, to, time.GetUtcNow(), options.Query.MaxRangeDays, out var range)
            ?? QueryParameters.TryParseInterval(interval, out width)
            ?? QueryParameters.CheckBuckets(range, width)
            ?? (name is { Length: 0 or > 128 } ? "'name' must be 1-128 characters." : null);
        if (error is not null)
        {
            return Problems.BadRequest(error);
        }
        var points = await store.TimeseriesAsync(site, range, width, name, ct);
        return TypedResults.Ok(new TimeseriesResponse(site, range.From, range.To, width.ToString().ToLowerInvariant(), name, points));
    }

    private static async Task<IResult> BreakdownAsync(
        string site,
        [Description("Start of the range, inclusive (RFC 3339).")] string? from,
        [Description("End of the range, exclusive (RFC 3339).")] string? to,
        [Description("path, name or referrer (required).")] string? by,
        [Description("Rows to return, 1-1000, default 10.")] string? limit,
        HttpContext context, SiteAccess access, AnalyticsStore store, EventideOptions options, TimeProvider time, CancellationToken ct)
    {
        if (await access.CheckAsync(context, site, ct) is { } denied)
        {
            return denied;
        }
        BreakdownDimension dimension = default;
        var rows = DefaultTopLimit;
        var error = QueryParameters.TryParseRange(from, to, time.GetUtcNow(), options.Query.MaxRangeDays, out var range)
            ?? TryParseDimension(by, out dimension)
            ?? QueryParameters.TryParseLimit(limit, DefaultTopLimit, MaxLimit, out rows);
        if (error is not null)
        {
            return Problems.BadRequest(error);
        }
        var result = await store.BreakdownAsync(site, range, dimension, rows, ct);
        return TypedResults.Ok(new BreakdownResponse(site, range.From, range.To, by!, result));
    }

    private static async Task<IResult> FunnelAsync(
        string site,
        [Description("Start of the range when the body has no 'from' (RFC 3339).")] string? from,
        [Description("End of the range when the body has no 'to' (RFC 3339).")] string? to,
        HttpContext context, SiteAccess access, AnalyticsStore store, EventideOptions options, TimeProvider time, CancellationToken ct)
    {
        if (await access.CheckAsync(context, site, ct) is { } denied)
        {
            return denied;
        }
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
            step.Name!, step.Path, users[i], users[0] == 0 ? 0 : (double)users[i] / users[0])).ToList();
        return TypedResults.Ok(new FunnelResponse(site, range.From, range.To, (long)funnel.Window.TotalSeconds, steps));
    }

    internal static string? TryParseDimension(string? by, out BreakdownDimension dimension)
    {
        dimension = BreakdownDimension.Path;
        switch (by)
        {
            case "path":
                return null;
            case "name":
                dimension = BreakdownDimension.Name;
                return null;
            case "referrer":
                dimension = BreakdownDimension.Referrer;
                return null;
            default:
                return $"'by' must be path, name or referrer; got '{by}'.";
        }
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
        funnel = new FunnelDefinition(steps, window);
        return null;
    }
}
