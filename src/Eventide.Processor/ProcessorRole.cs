using System.Diagnostics.Metrics;
using Eventide.Core;
using Eventide.Processor.Apis;
using Eventide.Processor.Cluster;
using Eventide.Processor.Jobs;
using Eventide.Storage.Inbox;
using Eventide.Storage.Processing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Eventide.Processor;

/// <summary>Wires the processor role into a host: its cluster member, services and endpoints.</summary>
public static class ProcessorRole
{
    public static IServiceCollection AddEventideProcessor(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = ProcessorSettings.From(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton(settings);
        services.AddSingleton<ProcessorMetrics>();
        services.AddSingleton<ProcessorDatabase>();
        services.AddSingleton(sp => new ShardConsumer(sp.GetRequiredService<ProcessorDatabase>().DataSource, settings.DedupeWindow, sp.GetRequiredService<TimeProvider>(), settings.FoldAggregates));
        services.AddSingleton(sp => new DeadLetterStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LagStore>();
        services.AddSingleton<InboxNotifications>();
        services.AddSingleton<PartitionMaintenance>();
        services.AddSingleton(sp => new AggregateRefresher(sp.GetRequiredService<NpgsqlDataSource>(), lockShards: settings.FoldAggregates));
        services.AddSingleton(sp => new PropertyDayMaterializer(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<LocalShards>();
        services.AddSingleton<ProcessorClusterState>();
        services.AddSingleton<ClusterMetrics>();
        services.AddSingleton(sp => new ShardConsumerSettings(
            new DatabaseShardStore(sp.GetRequiredService<ShardConsumer>()),
            settings.Batch,
            new SemaphoreSlim(settings.MaxConcurrentBatches, settings.MaxConcurrentBatches),
            sp.GetRequiredService<LocalShards>(),
            sp.GetRequiredService<ClusterMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Eventide.Processor.ShardConsumer"))
        {
            Batches = sp.GetRequiredService<ProcessorMetrics>(),
        });
        services.AddSingleton(sp => new SiteEntitySettings(
            settings.DedupeWindow, settings.SitePassivation, settings.RecentIdsPerSite, sp.GetRequiredService<LocalShards>(), sp.GetRequiredService<TimeProvider>()));
        // The actor system starts before the keeper (hosted services start in
        // order) and stops after it, through CoordinatedShutdown: leaving hands
        // the shards off, which flushes them while the database is still there.
        services.AddProcessorCluster(options);
        services.AddHostedService<ShardKeeper>();
        services.AddHostedService<SiteEntityLimiter>();
        services.AddHostedService<InboxListener>();
        services.AddHostedService<LagMonitor>();
        services.AddHostedService<RetentionJob>();
        services.AddHostedService<AggregateRefreshJob>();
        services.AddHostedService<PropertyDayJob>();
        services.AddSingleton<IReadinessCheck, ProcessorReadinessCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapEventideProcessor(this IEndpointRouteBuilder endpoints)
    {
        endpoints.ServiceProvider.GetRequiredService<ProcessorMetrics>().Attach(endpoints.ServiceProvider.GetRequiredService<LocalShards>());
        return endpoints.MapLagApi().MapDeadLettersApi().MapClusterApi();
    }
}
