using Eventide.Storage.Processing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Processor.Apis;

public static class LagApi
{
    /// <summary>GET /v1/admin/lag: events waiting per shard and the age of the oldest (shards with an empty inbox omitted).</summary>
    public static IEndpointRouteBuilder MapLagApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/admin").RequireAdminToken();
        group.MapGet("/lag", async (LagStore lag, CancellationToken ct) =>
        {
            var shards = await lag.ReadAsync(null, ct);
            return Results.Json(new
            {
                shards = shards.Select(s => new { shard = s.Shard, events = s.Events, oldest_age_seconds = Math.Round(s.OldestAgeSeconds, 3) }),
                total_events = shards.Sum(s => s.Events),
                max_age_seconds = shards.Count == 0 ? 0 : Math.Round(shards.Max(s => s.OldestAgeSeconds), 3),
            });
        })
        .WithName("GetLag")
        .WithSummary("Processor lag: events waiting in the inbox per shard and the age of the oldest, in seconds.");
        return endpoints;
    }
}
