using Eventide.Core;
using Eventide.Testing;

namespace Eventide.Query.Tests;

/// <summary>
/// The standard dataset on the real TimescaleDB engine: events in a
/// hypertable, aggregates as continuous aggregates with real-time
/// aggregation, so the same expected answers must come back as in plain mode.
/// </summary>
public class TimescaleQueryApiFixture : QueryApiFixture
{
    private readonly TimescaleEngineFixture _engine = new();

    protected override async Task<EventideOptions> CreateDatabaseAsync()
    {
        await _engine.InitializeAsync();
        // The engine has one database: start from an empty schema.
        await _engine.DropEventideSchemaAsync();
        var options = _engine.Options();
        var result = await _engine.MigrateAsync(options);
        Assert.Equal(Storage.StorageMode.Timescale, result.Mode);
        return options;
    }

    protected override async Task DropDatabaseAsync()
    {
        await _engine.DropEventideSchemaAsync();
        await _engine.DisposeAsync();
    }
}
