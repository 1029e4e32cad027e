using Eventide.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Eventide.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the shared NpgsqlDataSource, the migrator and the site store.</summary>
    public static IServiceCollection AddEventideStorage(this IServiceCollection services, EventideOptions options)
    {
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(options.Database.ConnectionString)
        {
            Name = "eventide",
        }.Build());
        services.AddSingleton<Migrator>();
        services.AddSingleton<SiteStore>();
        services.AddSingleton<Auth.ApiKeyAuthenticator>();
        services.AddSingleton<IReadinessCheck, DatabaseReadinessCheck>();
        return services;
    }
}
