using System.ComponentModel;
using Eventide.Query.Access;
using Eventide.Query.Contracts;
using Eventide.Query.Parameters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Query.Apis;

/// <summary>Raw events with filters and keyset paging.</summary>
public static class RawEventsApi
{
    public const int DefaultLimit = 100;

    public static IEndpointRouteBuilder MapRawEventsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapSiteGroup("Events").MapGet("/events", ListAsync)
            .WithMetadata(new QueryLimit(DefaultLimit, AnalyticsApi.MaxLimit))
            .WithName("ListEvents")
            .WithSummary("Raw events newest first, filtered by exact name, path, property values, user_id or session_id, paged with an opaque cursor.")
            .WithDescription("From the raw events table, in (time DESC, event_id DESC) order. Pass next_cursor back as cursor with the same filters and range; null means the last page.")
            .Produces<EventsResponse>()
            .ProducesQueryProblems()
            .Timed("events");
        return endpoints;
    }

    private static async Task<IResult> ListAsync(
        [AsParameters] SiteQuery query,
        [Description("Only events of this user.")] string? user_id,
        [Description("Only events of this session.")] string? session_id,
        [Description("next_cursor of the previous page.")] string? cursor,
        AnalyticsStore store, CancellationToken ct)
    {
        EventCursor parsed = default;
        if (cursor is not null && !EventCursor.TryDecode(cursor, out parsed))
        {
            return Problems.BadRequest("'cursor' is not a cursor this API returned; start again without it.");
        }
        var (events, next) = await store.EventsAsync(
            query.Site, query.Range, new EventFilter(query.Where, user_id, session_id), cursor is null ? null : parsed, query.Top, ct);
        return TypedResults.Ok(new EventsResponse(events, next?.Encode()));
    }
}
