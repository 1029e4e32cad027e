using Eventide.Core;
using Eventide.Core.Events;
using Eventide.Ingestion.Apis;
using Eventide.Ingestion.Commit;
using Eventide.Ingestion.Segment;
using Eventide.Storage.Inbox;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion;

/// <summary>Wires the ingestion role into a host: its services and its endpoints.</summary>
public static class IngestionRole
{
    public static IServiceCollection AddEventideIngestion(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IngestionMetrics>();
        services.AddSingleton<IngestionDatabase>();
        services.AddSingleton(sp =>
        {
            var dataSource = sp.GetRequiredService<IngestionDatabase>().DataSource;
            return new InboxWriter(dataSource, options.Shards,
                new InboxNotifier(dataSource, sp.GetRequiredService<ILoggerFactory>().CreateLogger<InboxNotifier>()));
        });
        services.AddSingleton(new EventParser(options.Ingestion, options.Retention));
        services.AddSingleton(new SiteRateLimiter(options.Ingestion, TimeProvider.System));
        services.AddSingleton<GroupCommitter>();
        services.AddHostedService(sp => sp.GetRequiredService<GroupCommitter>());
        services.AddSingleton<InboxHighWater>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxHighWater>());
        services.AddSingleton<IReadinessCheck, InboxHighWaterReadinessCheck>();
        services.AddSingleton<IntakeGate>();
        services.AddSingleton<EventIntake>();
        services.AddSingleton<SegmentDeadLetterWriter>();
        services.AddSingleton<SegmentIntake>();
        services.AddHostedService<IngestionWarmUp>();
        if (options.Ingestion.InboxRotationSeconds > 0)
        {
            services.AddHostedService<InboxRotationService>();
        }
        return services;
    }

    public static IEndpointRouteBuilder MapEventideIngestion(this IEndpointRouteBuilder endpoints) => endpoints.MapIntakeApi().MapSegmentApi();
}
