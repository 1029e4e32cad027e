using Eventide.Ingestion.Segment;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Ingestion.Apis;

/// <summary>
/// The Segment HTTP Tracking API (docs/segment.md), so Segment and RudderStack SDKs post to
/// Eventide unmodified. No Accepts metadata: SDKs label gzip bodies with any content type.
/// </summary>
public static class SegmentApi
{
    public static IEndpointRouteBuilder MapSegmentApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/batch", (HttpContext context, SegmentIntake intake) => intake.HandleAsync(context, null))
            .WithName("PostSegmentBatch")
            .WithSummary("Segment Tracking API batch {batch: [messages], sentAt, writeKey?, context?}; 200 {success: true} after commit, invalid messages dead-lettered and listed.")
            .WithSegmentAnswers();
        Single(endpoints, "/v1/track", "PostSegmentTrack", SegmentMessageType.Track, "Segment track message: stored as an event named by its event field.");
        Single(endpoints, "/v1/page", "PostSegmentPage", SegmentMessageType.Page, "Segment page message: stored as a pageview with path and referrer.");
        Single(endpoints, "/v1/screen", "PostSegmentScreen", SegmentMessageType.Screen, "Segment screen message: stored as a screen_view.");
        Single(endpoints, "/v1/identify", "PostSegmentIdentify", SegmentMessageType.Identify, "Segment identify message: stored as $identify with its traits in properties.");
        Single(endpoints, "/v1/group", "PostSegmentGroup", SegmentMessageType.Group, "Segment group message: stored as $group with its traits and groupId in properties.");
        Single(endpoints, "/v1/alias", "PostSegmentAlias", SegmentMessageType.Alias, "Segment alias message: stored as $alias with previousId in properties.");
        return endpoints;
    }

    private static void Single(IEndpointRouteBuilder endpoints, string route, string name, SegmentMessageType type, string summary) =>
        endpoints.MapPost(route, (HttpContext context, SegmentIntake intake) => intake.HandleAsync(context, type))
            .WithName(name)
            .WithSummary(summary)
            .WithSegmentAnswers();

    private static RouteHandlerBuilder WithSegmentAnswers(this RouteHandlerBuilder builder) => builder
        .Produces(StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
