using Eventide.Testing;

namespace Eventide.Storage.Tests.Timescale;

/// <summary>
/// Every test class that uses the TimescaleDB engine. It has one backend
/// shared by all connections, so the classes run one after another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimescaleEngineCollection : ICollectionFixture<TimescaleEngineFixture>
{
    public const string Name = "TimescaleDB engine";
}
