using System.Text.Json;
using Eventide.Processor.Cluster;
using Eventide.Storage.Processing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Eventide.Processor.Apis;

public static class DeadLettersApi
{
    private const int MaxReplayIds = DeadLetterStore.MaxPage;

    public static IEndpointRouteBuilder MapDeadLettersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/admin/dead-letters").RequireAdminToken();

        group.MapGet("", async (DeadLetterStore store, int? limit, long? before_id, CancellationToken ct) =>
        {
            if (limit is < 1 or > DeadLetterStore.MaxPage)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit",
                    detail: $"limit must be between 1 and {DeadLetterStore.MaxPage}.");
            }
            var page = await store.ListAsync(limit ?? 100, before_id, ct);
            return Results.Json(new
            {
                dead_letters = page.Select(d => new
                {
                    id = d.Id,
                    site_id = d.SiteId,
                    event_id = d.EventId,
                    source = d.Source,
                    payload = JsonDocument.Parse(d.Payload).RootElement,
                    error = d.Error,
                    failed_at = d.FailedAt,
                    replayed_at = d.ReplayedAt,
                }),
                next_before_id = page.Count == (limit ?? 100) ? page[^1].Id : (long?)null,
            });
        })
        .WithName("ListDeadLetters")
        .WithSummary("Lists dead letters, newest first; page with before_id (the next_before_id of the previous page).");

        group.MapPost("/replay", async (HttpRequest request, DeadLetterStore store, ProcessorClusterState cluster, ILoggerFactory loggers, CancellationToken ct) =>
        {
            IReadOnlyList<long>? ids;
            try
            {
                ids = await ReadIdsAsync(request, ct);
            }
            catch (JsonException ex)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid replay request",
                    detail: $"Send {{\"ids\": [1, 2]}} or an empty body to replay every dead letter not yet replayed; {ex.Message}");
            }
            if (ids?.Count > MaxReplayIds)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Too many ids",
                    detail: $"Replay at most {MaxReplayIds} ids per request.");
            }
            if (cluster.Shards == 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Processor not ready",
                    detail: "The processor has not started sharding yet (is the schema migrated?); retry shortly.");
            }
            var result = await store.ReplayAsync(ids, cluster.Shards, ct);
            Log.Replayed(loggers.CreateLogger("Eventide.Processor.DeadLetters"), result.Replayed.Count, result.Failed.Count);
            var found = result.Replayed.Concat(result.Failed.Select(f => f.Id)).ToHashSet();
            return Results.Json(new
            {
                replayed = result.Replayed,
                failed = result.Failed.Select(f => new { id = f.Id, error = f.Error }),
                not_found = ids?.Where(i => !found.Contains(i)).ToArray() ?? [],
                remaining = result.Remaining,
            });
        })
        .WithName("ReplayDeadLetters")
        .WithSummary("Re-validates dead letters and re-enqueues the valid ones through the inbox (so dedupe applies); invalid ones keep their row with the new error.");
        return endpoints;
    }

    private static async Task<IReadOnlyList<long>?> ReadIdsAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0)
        {
            return null;
        }
        using var doc = JsonDocument.Parse(buffer.ToArray());
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("the body must be a JSON object");
        }
        if (!doc.RootElement.TryGetProperty("ids", out var ids) || ids.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (ids.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("ids must be an array of dead letter ids");
        }
        var list = new List<long>();
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var value) || value < 1)
            {
                throw new JsonException("ids must be positive integers");
            }
            list.Add(value);
        }
        return list;
    }
}
