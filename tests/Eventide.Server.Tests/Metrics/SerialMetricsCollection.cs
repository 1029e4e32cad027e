namespace Eventide.Server.Tests.Metrics;

/// <summary>Tests that read process-wide metrics run in this collection: alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialMetricsCollection
{
    public const string Name = "Serial metrics";
}
