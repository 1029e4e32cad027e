using System.ComponentModel;
using Eventide.Core;
using Eventide.Query.Contracts;
using Eventide.Query.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Query.Apis;

/// <summary>Raw events with filters and keyset paging.</summary>
public static class EventsApi
{
    public const int DefaultLimit = 100;

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/sites/{site}/events", ListAsync)
            .WithTags("Events")
            .WithName("ListEvents")
            .WithSummary("Raw events newest first, filtered by exact name, path, user_id or session_id, paged with an opaque cursor.")
            .WithDescription("From the raw events table, in (time DESC, event_id DESC) order. Pass next_cursor back as cursor with the same filters and range; null means the last page.")
            .Produces<EventsResponse>()
            .ProducesQueryProblems()
            .Timed("events");
        return endpoints;
    }

    private static async Task<IResult> ListAsync(
        string site,
        [Description("Start of the range, inclusive (RFC 3339).")] string? from,
        [Description("End of the range, exclusive (RFC 3339).")] string? to,
        [Description("Only events with this name.")] string? name,
        [Description("Only events with this exact path.")] string? path,
        [Description("Only events of this user.")] string? user_id,
        [Description("Only events of this session.")] string? session_id,
        [Description("Events per page, 1-1000, default 100.")] string? limit,
        [Description("next_cursor of the previous page.")] string? cursor,
        HttpContext context, SiteAccess access, AnalyticsStore store, EventideOptions options, TimeProvider time, CancellationToken ct)
    {
        if (await access.CheckAsync(context, site, ct) is { } denied)
        {
            return denied;
        }
        EventCursor parsed = default;
        var pageSize = DefaultLimit;
        var error = QueryParameters.TryParseRange(from, to, time.GetUtcNow(), options.Query.MaxRangeDays, out var range)
            ?? QueryParameters.TryParseLimit(limit, DefaultLimit, AnalyticsApi.MaxLimit, out pageSize)
            ?? (cursor is not null && !EventCursor.TryDecode(cursor, out parsed) ? "'cursor' is not a cursor this API returned; start again without it." : null);
        if (error is not null)
        {
            return Problems.BadRequest(error);
        }
        var (events, next) = await store.EventsAsync(
            site, range, new EventFilter(name, path, user_id, session_id), cursor is null ? null : parsed, pageSize, ct);
        return TypedResults.Ok(new EventsResponse(events, next?.Encode()));
    }
}
