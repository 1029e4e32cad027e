using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Ingestion.Apis;

public static class EventsApi
{
    /// <summary>
    /// POST /v1/events (the full event model) and POST /event (the simple tracker format).
    /// No Accepts metadata on purpose: routing would then answer other content types with an
    /// empty 415, and browsers' sendBeacon posts text/plain. The body decides (docs/ingestion.md).
    /// </summary>
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/events", (HttpContext context, EventIntake intake) => intake.HandleAsync(context, trackerFormat: false))
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

        endpoints.MapPost("/event", (HttpContext context, EventIntake intake) => intake.HandleAsync(context, trackerFormat: true))
            .WithName("PostTrackerEvent")
            .WithSummary("Ingest one event in the simple tracker format {site_id, event_type, path, user_id, timestamp}; same answers as /v1/events.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }
}
