using Eventide.Core;
using Eventide.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Eventide.Testing;

/// <summary>
/// A fresh database on the local PostgreSQL that scripts/test starts
/// (EVENTIDE_TEST_PG), one per fixture instance, so test classes never see
/// each other's rows. A missing server fails the test; it never skips.
/// </summary>
public class PostgresFixture : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    public string ConnectionString { get; private set; } = "";

    public string DatabaseName { get; } = "eventide_t_" + Guid.NewGuid().ToString("N")[..12];

    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("fixture not initialized");

    /// <summary>The server-level connection string from scripts/test.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("EVENTIDE_TEST_PG") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "EVENTIDE_TEST_PG is not set: run the tests with scripts/test, which starts a local PostgreSQL");

    public virtual async Task InitializeAsync()
    {
        await using (var admin = NpgsqlDataSource.Create(ServerConnectionString))
        await using (var cmd = admin.CreateCommand($"CREATE DATABASE {DatabaseName}"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = DatabaseName }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>Options pointing at this fixture's database, plain mode unless told otherwise.</summary>
    public EventideOptions Options(Action<EventideOptions>? configure = null)
    {
        var options = new EventideOptions();
        options.Database.ConnectionString = ConnectionString;
        options.Database.Timescale = TimescaleMode.Off;
        // A free port: tests run many hosts side by side, and the default (8081) would collide.
        options.Ingestion.GrpcListen = "http://127.0.0.1:0";
        // A free remoting port: a processor in a test joins itself, and the
        // default 4053 would collide with every other test run on the machine.
        options.Cluster.Port = 0;
        configure?.Invoke(options);
        return options;
    }

    public Task<MigrationResult> MigrateAsync(EventideOptions? options = null) =>
        new Migrator(DataSource, options ?? Options(), NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);

    public virtual async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(ServerConnectionString);
        await using var cmd = admin.CreateCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)");
        await cmd.ExecuteNonQueryAsync();
    }
}
