using Akka.Actor;
using Akka.Cluster.Sharding;
using Eventide.Processor.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Processor.Apis;

public static class ClusterApi
{
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// GET /v1/admin/cluster: this member's address, the members as this member
    /// sees them (address, status, roles, up since) and, from every region's
    /// own report, which member holds each shard.
    /// </summary>
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/admin").RequireAdminToken();
        group.MapGet("/cluster", async (ProcessorClusterState state, CancellationToken ct) =>
        {
            if (state.Cluster is not { } cluster || state.Region is not { } region)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Processor not ready",
                    detail: state.Problem ?? "This member has not started sharding yet; retry shortly.");
            }
            // Every region's report as it is, duplicates included: a shard on two members must show.
            var holders = new List<(int Shard, string Member)>();
            string? statsError = null;
            try
            {
                var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(StatsTimeout), StatsTimeout + TimeSpan.FromSeconds(1), ct);
                foreach (var (address, regionStats) in stats.Regions)
                {
                    foreach (var shard in regionStats.Stats.Keys)
                    {
                        if (int.TryParse(shard, System.Globalization.CultureInfo.InvariantCulture, out var n))
                        {
                            holders.Add((n, address.ToString()));
                        }
                    }
                }
            }
            catch (AskTimeoutException ex)
            {
                statsError = ex.Message;
            }
            var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToHashSet();
            return Results.Json(new
            {
                self = cluster.SelfAddress.ToString(),
                self_status = cluster.SelfMember.Status.ToString().ToLowerInvariant(),
                leader = cluster.State.Leader?.ToString(),
                members = cluster.State.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new
                {
                    address = m.Address.ToString(),
                    status = m.Status.ToString().ToLowerInvariant(),
                    reachable = !unreachable.Contains(m.Address),
                    roles = m.Roles.Order(StringComparer.Ordinal),
                    up_since = state.UpSince(m.Address),
                }),
                shards_total = state.Shards,
                shards = holders.OrderBy(h => h.Shard).ThenBy(h => h.Member, StringComparer.Ordinal).Select(h => new { shard = h.Shard, member = h.Member }),
                shards_error = statsError,
            });
        })
        .WithName("GetCluster")
        .WithSummary("Processor cluster: this member, the members with status and up-since, and the member holding each shard.");
        return endpoints;
    }
}
