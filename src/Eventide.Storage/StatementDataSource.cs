using Npgsql;

namespace Eventide.Storage;

/// <summary>
/// A data source for a role's hot path, whose transactions repeat the same few statements and
/// keep no session state (settings are <c>SET LOCAL</c>, locks transaction-scoped): the
/// statements are auto-prepared, so the server parses and plans each once per connection, and
/// a connection returned to the pool skips <c>DISCARD ALL</c>, one statement fewer a use.
/// </summary>
public static class StatementDataSource
{
    public static NpgsqlDataSource Build(NpgsqlConnectionStringBuilder csb, string name, int maxAutoPrepare)
    {
        ArgumentNullException.ThrowIfNull(csb);
        if (csb.MaxAutoPrepare == 0)
        {
            csb.MaxAutoPrepare = maxAutoPrepare;
        }
        csb.NoResetOnClose = true;
        return new NpgsqlDataSourceBuilder(csb.ConnectionString) { Name = name }.Build();
    }
}
