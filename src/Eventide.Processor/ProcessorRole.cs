using Eventide.Core;
using Eventide.Processor.Apis;
using Eventide.Storage.Processing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Eventide.Processor;

/// <summary>Wires the processor role into a host: its services and its endpoints.</summary>
public static class ProcessorRole
{
    public static IServiceCollection AddEventideProcessor(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = ProcessorSettings.From(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddSingleton<ProcessorMetrics>();
        services.AddSingleton(sp => new ShardConsumer(sp.GetRequiredService<NpgsqlDataSource>(), settings.DedupeWindow, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new DeadLetterStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LagStore>();
        services.AddSingleton<PartitionMaintenance>();
        services.AddSingleton<ShardCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<ShardCoordinator>());
        services.AddHostedService<InboxListener>();
        services.AddHostedService<LagMonitor>();
        services.AddHostedService<RetentionJob>();
        services.AddSingleton<IReadinessCheck, ProcessorReadinessCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapEventideProcessor(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapLagApi().MapDeadLettersApi();
}
