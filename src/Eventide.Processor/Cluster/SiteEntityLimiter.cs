using Akka.Actor;
using Microsoft.Extensions.Hosting;

namespace Eventide.Processor.Cluster;

/// <summary>
/// Bounds the site entities alive on this member (<c>MaxActiveSites</c>): once a second, when
/// more are alive than the limit, it asks the least recently active of them to passivate, down
/// to nine tenths of the limit, so the member's memory follows the limit and not how many
/// sites sent events within <c>SitePassivationSeconds</c>. Akka.NET's sharding passivates by
/// idle time only; this is the least-recently-used bound beside it. A passivated site loses
/// only its in-memory front (event_ids is the durable record), so the limit trades memory for
/// dedupe lookups the front would have saved.
/// </summary>
public sealed class SiteEntityLimiter(LocalShards local, ProcessorSettings settings, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.MaxActiveSites <= 0)
        {
            return;
        }
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Sweep();
                await Task.Delay(settings.SiteLimitInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the actor system stops the entities.
        }
    }

    /// <summary>One pass: the sites it asked to passivate (none at or below the limit).</summary>
    internal int Sweep()
    {
        var limit = settings.MaxActiveSites;
        var alive = local.SiteEntities;
        if (limit <= 0 || alive <= limit)
        {
            return 0;
        }
        // Down to nine tenths, not to the limit: otherwise a member at the limit under steady
        // traffic would sort its sites every second to passivate a handful.
        var picked = local.LeastRecentlyActive(alive - (limit - (limit / 10)));
        foreach (var (site, activeTicks) in picked)
        {
            site.Tell(new PassivateIfIdle(activeTicks), ActorRefs.NoSender);
        }
        return picked.Count;
    }
}
