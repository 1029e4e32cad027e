using Eventide.Core;
using Eventide.Storage;
using Npgsql;

namespace Eventide.Processor;

/// <summary>
/// The consume transactions' own data source. They run the same handful of statements in
/// every transaction (the claim, the dedupe lookup and record, the events insert, the dirty
/// mark, the inbox delete), a few hundred transactions a second at one event a request, so
/// each is prepared once per connection and the server skips parsing and planning it after
/// that. The other parts of the processor (jobs, the admin API) keep the shared data source,
/// whose statements vary.
/// </summary>
public sealed class ProcessorDatabase : IAsyncDisposable
{
    public ProcessorDatabase(EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The consume transaction keeps no session state (its settings are SET LOCAL, its lock
        // is transaction-scoped), so its connections can skip the reset too.
        DataSource = StatementDataSource.Build(
            new NpgsqlConnectionStringBuilder(options.Database.ConnectionString), "eventide-processor", maxAutoPrepare: 24);
    }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
