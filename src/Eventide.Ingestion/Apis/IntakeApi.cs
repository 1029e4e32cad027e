using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Ingestion.Apis;

/// <summary>Event intake over HTTP: the strict event model and the seed routes (the Segment API is <see cref="SegmentApi"/>).</summary>
public static class IntakeApi
{
    /// <summary>
    /// POST /v1/events (the strict event model) and the seed routes POST /event, /events, /webhook/event.
    /// No Accepts metadata on purpose: routing would then answer other content types with an
    /// empty 415, and browsers' sendBeacon posts text/plain. The body decides (docs/ingestion.md).
    /// </summary>
    public static IEndpointRouteBuilder MapIntakeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/events", (HttpContext context, EventIntake intake) => intake.HandleAsync(context, seedRoute: false))
            .WithName("PostEvents")
            .WithSummary("Ingest events: one JSON object, a JSON array or NDJSON, optionally gzip-compressed; 202 after they are committed.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        MapSeedRoute(endpoints, "/event", "PostTrackerEvent",
            "Ingest events in the simple tracker shape {site_id, event_type, path, user_id, timestamp}; same answers as /v1/events.");
        MapSeedRoute(endpoints, "/events", "PostSeedEvents",
            "Ingest events in the queue-service shape {type, payload}; site_id defaults to the write key's site.");
        MapSeedRoute(endpoints, "/webhook/event", "PostWebhookEvent",
            "Ingest events in the marketing-platform shape {eventId, eventType, timestamp, data, ...}; other fields are kept in properties.");
        return endpoints;
    }

    /// <summary>
    /// A seed route: the seed payload shapes (aliases eventType, eventId, payload, data; unknown
    /// top-level fields kept in properties; site_id from the write key) and epoch-millisecond
    /// timestamps, with the same answers as /v1/events (docs/ingestion.md, "Seed routes").
    /// </summary>
    private static void MapSeedRoute(IEndpointRouteBuilder endpoints, string route, string name, string summary) =>
        endpoints.MapPost(route, (HttpContext context, EventIntake intake) => intake.HandleAsync(context, seedRoute: true))
            .WithName(name)
            .WithSummary(summary)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
