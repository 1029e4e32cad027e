using Eventide.Core;
using Eventide.Storage;
using Npgsql;

namespace Eventide.Ingestion;

/// <summary>
/// The ingestion role's own data source, tuned to fail fast: a client must get
/// an answer within a second even when the database hangs or is gone, and the
/// pool must recover by itself once it returns (broken connections are dropped
/// by Npgsql; <see cref="Clear"/> also drops idle ones that went stale).
/// </summary>
public sealed class IngestionDatabase : IAsyncDisposable
{
    public IngestionDatabase(EventideOptions options)
    {
        var csb = new NpgsqlConnectionStringBuilder(options.Database.ConnectionString);
        // Connect timeout in seconds; requests are bounded by cancellation well before it.
        csb.Timeout = Math.Min(csb.Timeout, 2);
        csb.CommandTimeout = Math.Min(csb.CommandTimeout, 5);
        // How long a cancelled command waits for the server to confirm before the
        // connection is broken instead; a hung server must not hold the committer.
        csb.CancellationTimeout = 250;
        // The commit's statements are the same every time and keep no session state: prepared
        // once per connection, and no reset when a connection goes back to the pool.
        DataSource = StatementDataSource.Build(csb, "eventide-ingestion", maxAutoPrepare: 16);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Drops idle pooled connections, which are likely dead after a failure.</summary>
    public void Clear() => DataSource.Clear();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
