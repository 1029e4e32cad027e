using Eventide.Core;
using Eventide.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Eventide.Testing;

/// <summary>
/// The real TimescaleDB engine (PostgreSQL 17 + TimescaleDB 2.23 in its
/// WebAssembly build) that scripts/test starts and names in
/// <c>EVENTIDE_TEST_TIMESCALE</c>. The engine is a single database with a
/// single backend shared by every connection: classes isolate themselves by
/// schema and the collection that uses this fixture must not run in parallel.
/// </summary>
public sealed class TimescaleEngineFixture : IAsyncLifetime
{
    /// <summary>The environment variable that holds the engine's connection string.</summary>
    public const string EnvironmentVariable = "EVENTIDE_TEST_TIMESCALE";

    // Test assemblies run in parallel processes and the product's schema
    // name is fixed, so a collection holds the engine for its whole run.
    private static readonly TimeSpan EngineWait = TimeSpan.FromMinutes(15);

    private NpgsqlDataSource? _dataSource;
    private FileStream? _engineLock;

    /// <summary>The Npgsql connection string of the engine.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A data source over <see cref="ConnectionString"/>.</summary>
    public NpgsqlDataSource DataSource =>
        _dataSource ?? throw new InvalidOperationException("The fixture has not been initialized.");

    public async Task InitializeAsync()
    {
        // A missing engine fails the run: the TimescaleDB-specific SQL is
        // tested nowhere else, so skipping would hide a broken product.
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. Run the tests through scripts/test, which starts the " +
                "TimescaleDB engine (tests/timescale) and sets it, or start it by hand: " +
                "node tests/timescale/server.mjs --port 56432 and set " +
                $"{EnvironmentVariable}=\"Host=127.0.0.1;Port=56432;Username=postgres;Password=postgres;SSL Mode=Disable;Pooling=false\".");
        }

        ConnectionString = value;
        _engineLock = await AcquireEngineLockAsync(value);
        _dataSource = NpgsqlDataSource.Create(value);
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS timescaledb", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_engineLock is not null)
        {
            await _engineLock.DisposeAsync();
        }
    }

    /// <summary>Opens a new connection to the engine.</summary>
    public ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        DataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Drops <paramref name="schema"/> with everything in it (hypertables,
    /// continuous aggregates and their policies) and creates it empty, so a
    /// test class starts from nothing whatever ran before it.
    /// </summary>
    public async Task ResetSchemaAsync(string schema, CancellationToken cancellationToken = default)
    {
        var quoted = QuoteIdentifier(schema);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"DROP SCHEMA IF EXISTS {quoted} CASCADE; CREATE SCHEMA {quoted};", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Drops Eventide's schema (its hypertable, continuous aggregates and
    /// their policies go with it), so the next migrate starts from nothing.
    /// </summary>
    public Task DropEventideSchemaAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("DROP SCHEMA IF EXISTS eventide CASCADE", cancellationToken);

    /// <summary>Options pointing at the engine, Timescale mode required unless told otherwise.</summary>
    public EventideOptions Options(Action<EventideOptions>? configure = null)
    {
        var options = new EventideOptions();
        options.Database.ConnectionString = ConnectionString;
        options.Database.Timescale = TimescaleMode.Required;
        options.Ingestion.GrpcListen = "http://127.0.0.1:0";
        options.Cluster.Port = 0;
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Applies the product's migrations to the engine (Timescale mode unless the options say otherwise).</summary>
    public Task<MigrationResult> MigrateAsync(EventideOptions? options = null, CancellationToken cancellationToken = default) =>
        new Migrator(DataSource, options ?? Options(), NullLogger<Migrator>.Instance).MigrateAsync(cancellationToken);

    /// <summary>Runs <paramref name="sql"/> on a new connection.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> on a new connection and returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is T typed
            ? typed
            : throw new InvalidOperationException($"Expected a {typeof(T).Name} from `{sql}`, got {value ?? "null"}.");
    }

    // An exclusive file lock (flock on Linux) named after the engine's port:
    // the engine has one session, so two test processes using it at once
    // would reset each other's schemas and share each other's session state.
    private static async Task<FileStream> AcquireEngineLockAsync(string connectionString)
    {
        var port = new NpgsqlConnectionStringBuilder(connectionString).Port;
        var path = Path.Combine(Path.GetTempPath(), $"eventide-timescale-{port}.lock");
        var deadline = DateTime.UtcNow + EngineWait;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another test process holds the engine: poll until it is done.
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
