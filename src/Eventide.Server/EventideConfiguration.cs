using Eventide.Core;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Eventide.Server;

/// <summary>
/// Configuration sources, lowest precedence first: appsettings.json beside the
/// binary, appsettings.json in the working directory, EVENTIDE-prefixed and
/// Eventide__ environment variables, then command-line flags.
/// </summary>
public static class EventideConfiguration
{
    public static IConfigurationRoot Build(IDictionary<string, string?>? flags = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables();
        if (flags is not null)
        {
            builder.AddInMemoryCollection(flags);
        }
        return builder.Build();
    }

    /// <summary>Binds and validates the options; throws <see cref="OptionsException"/> with a one-line message.</summary>
    public static EventideOptions Bind(IConfiguration configuration)
    {
        var options = new EventideOptions();
        try
        {
            configuration.GetSection(EventideOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsException($"invalid configuration: {(ex.InnerException ?? ex).Message}");
        }
        var problem = options.Validate();
        if (problem is not null)
        {
            throw new OptionsException(problem);
        }
        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.Database.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            // A malformed string is a configuration error (exit 2), not a runtime failure.
            throw new OptionsException($"Eventide:Database:ConnectionString is not a valid connection string: {ex.Message}");
        }
        return options;
    }
}
