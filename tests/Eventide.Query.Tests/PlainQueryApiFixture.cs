using Eventide.Core;
using Eventide.Testing;

namespace Eventide.Query.Tests;

/// <summary>The standard dataset on plain PostgreSQL (aggregates as views).</summary>
public class PlainQueryApiFixture : QueryApiFixture
{
    private readonly MigratedPostgresFixture _db = new();

    protected override async Task<EventideOptions> CreateDatabaseAsync()
    {
        await _db.InitializeAsync();
        return _db.Options();
    }

    protected override Task DropDatabaseAsync() => _db.DisposeAsync();
}
