using Akka.Actor;
using Akka.Cluster.Sharding;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor.Cluster;

/// <summary>
/// Starts sharding once the schema says how many shards there are, joins the
/// member to itself when it has no seeds, and then keeps every shard started:
/// once a second it touches every shard's consumer entity, so a shard whose
/// member left or was downed starts on a live member (the coordinator
/// allocates it on that message) and every shard is consumed while any
/// member is up. Touching from every member costs a few small messages a
/// second and needs no remembered entities.
/// </summary>
public sealed class ShardKeeper(
    ActorSystem system,
    NpgsqlDataSource dataSource,
    ProcessorClusterState state,
    ShardConsumerSettings consumers,
    SiteEntitySettings sites,
    ClusterMetrics metrics,
    ProcessorSettings settings,
    Eventide.Core.EventideOptions options,
    ILogger<ShardKeeper> logger,
    TimeProvider time) : BackgroundService
{
    public const string TypeName = "site";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var shards = await WaitForSchemaAsync(stoppingToken);
            var cluster = Akka.Cluster.Cluster.Get(system);
            if (options.Cluster.SeedNodeList.Count == 0)
            {
                cluster.Join(cluster.SelfAddress);
            }
            system.ActorOf(Props.Create(() => new MemberEventsListener(state, time)), "member-events");
            var extractor = new SiteMessageExtractor(shards);
            var sharding = ClusterSharding.Get(system);
            var shardingSettings = ClusterShardingSettings.Create(system).WithRole(ProcessorCluster.Role);
            // Consumers reach the sites through the region, known only once it has started;
            // no entity starts before then (entities start on messages to the region).
            IActorRef? region = null;
            ShardConsumerSettings? withSites = null;
            region = await sharding.StartAsync(
                TypeName,
                entityId =>
                {
                    if (SiteMessageExtractor.ConsumerShard(entityId) is not { } shard)
                    {
                        return SiteEntity.PropsFor(entityId, sites);
                    }
                    var consumerSettings = withSites ??= consumers with { Sites = region };
                    return Props.Create(() => new ShardConsumerEntity(shard, consumerSettings));
                },
                shardingSettings,
                extractor,
                sharding.DefaultShardAllocationStrategy(shardingSettings),
                StopEntity.Instance);
            state.Started(cluster, region, shards);
            metrics.Attach(state, consumers.Local);
            Log.Joined(logger, cluster.SelfAddress.ToString(), shards);
            // The figure docs/sharding.md reports for joining: process start to Up.
            cluster.RegisterOnMemberUp(() => Log.MemberUp(logger, cluster.SelfAddress.ToString(),
                Math.Round((DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds, 2)));

            var wakes = Enumerable.Range(0, shards).Select(s => new Wake(SiteMessageExtractor.ConsumerId(s))).ToArray();
            while (!stoppingToken.IsCancellationRequested)
            {
                if (state.IsUp)
                {
                    foreach (var wake in wakes)
                    {
                        region.Tell(wake);
                    }
                }
                await Task.Delay(settings.KeepAlive, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Leaving is CoordinatedShutdown's: the host stops the actor system after this service.
        }
    }

    private async Task<int> WaitForSchemaAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                if (await new PartitionMaintenance(dataSource).ReadModeAndShardsAsync(ct) is { } schema)
                {
                    return schema.Shards;
                }
                state.Problem = "waiting for the schema to be migrated";
                Log.WaitingForSchema(logger);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                state.Problem = $"database unreachable: {ex.Message}";
                Log.BackgroundFailed(logger, ex, "schema");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct);
        }
    }
}
