namespace Eventide.Core;

/// <summary>
/// All of Eventide's configuration, bound from the <c>Eventide</c> section
/// (appsettings, <c>Eventide__Section__Key</c> environment variables, flags).
/// </summary>
public sealed class EventideOptions
{
    public const string SectionName = "Eventide";

    public DatabaseOptions Database { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    /// <summary>Number of shards; fixed when the database is first migrated.</summary>
    public int Shards { get; set; } = 64;

    public RetentionOptions Retention { get; set; } = new();

    public IngestionOptions Ingestion { get; set; } = new();

    public ProcessorOptions Processor { get; set; } = new();

    public QueryOptions Query { get; set; } = new();

    /// <summary>The processor members' Akka.NET cluster (remoting address and seeds).</summary>
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Returns the first problem with the options, or null when they are usable.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Database.ConnectionString))
        {
            return "Eventide:Database:ConnectionString is required (env Eventide__Database__ConnectionString)";
        }
        if (Shards is < 1 or > 4096)
        {
            return $"Eventide:Shards must be between 1 and 4096, got {Shards}";
        }
        return Retention.Validate() ?? Ingestion.Validate() ?? Processor.Validate() ?? Cluster.Validate();
    }
}
