using System.Net.Http.Headers;
using Eventide.Core;
using Eventide.Server;
using Eventide.Storage;
using Eventide.Testing;
using Eventide.Testing.Dataset;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Eventide.Query.Tests;

/// <summary>
/// A database holding a generated dataset and the query role serving it
/// in-process over real HTTP. Subclasses say where the database comes from
/// (plain PostgreSQL here; the TimescaleDB engine can subclass the same way),
/// so the same answer-comparison tests run on every storage mode.
/// </summary>
public abstract class QueryApiFixture : IAsyncLifetime
{
    public const string AdminToken = "query-tests-admin-token";

    private WebApplication? _app;
    private NpgsqlDataSource? _dataSource;

    public EventDataset Dataset { get; private set; } = null!;

    public IReadOnlyDictionary<string, SiteKeys> Keys { get; private set; } = null!;

    /// <summary>Client with the admin token; make per-key clients with <see cref="Client"/>.</summary>
    public HttpClient Http { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("fixture not initialized");

    public TimeSpan LoadTime { get; private set; }

    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("fixture not initialized");

    /// <summary>A migrated, empty database; returns options pointing at it.</summary>
    protected abstract Task<EventideOptions> CreateDatabaseAsync();

    protected abstract Task DropDatabaseAsync();

    protected virtual EventDataset CreateDataset() => EventDataset.Standard;

    /// <summary>Loads <see cref="Dataset"/>; returns each site's keys and the time it took.</summary>
    protected virtual Task<(IReadOnlyDictionary<string, SiteKeys> Keys, TimeSpan Elapsed)> LoadAsync(NpgsqlDataSource dataSource) =>
        Dataset.LoadTimedAsync(dataSource);

    public async Task InitializeAsync()
    {
        var options = await CreateDatabaseAsync();
        options.Admin.Token = AdminToken;
        _dataSource = NpgsqlDataSource.Create(options.Database.ConnectionString);
        Dataset = CreateDataset();
        (Keys, LoadTime) = await LoadAsync(_dataSource);
        var quiet = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        _app = EventideHost.Build(options, Role.Query, "http://127.0.0.1:0", quiet);
        await _app.StartAsync();
        Address = LoopbackKestrel.AddressOf(_app);
        Http = Client(AdminToken);
    }

    public HttpClient Client(string? bearer)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return http;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
        await DropDatabaseAsync();
    }
}
