using Xunit;

namespace Eventide.Testing;

/// <summary>
/// A private PostgreSQL whose installation offers a stand-in
/// <c>timescaledb</c> extension, not preloaded. Loading the real one
/// without preloading ends the session with a FATAL error; the stand-in's
/// script ends its own session the same way.
/// </summary>
public sealed class StandInTimescalePostgres : IAsyncLifetime
{
    private PostgresInstallCopy? _install;
    private PrivatePostgres? _server;

    public async Task InitializeAsync()
    {
        _install = PostgresInstallCopy.Create(new Dictionary<string, string>
        {
            ["timescaledb.control"] = "default_version = '1.0'\nrelocatable = false\nsuperuser = true\n",
            ["timescaledb--1.0.sql"] = "SELECT pg_terminate_backend(pg_backend_pid());\n",
        });
        _server = await PrivatePostgres.StartAsync(binDirectory: _install.BinDirectory);
    }

    public async Task<string> NewDatabaseAsync()
    {
        var name = "eventide_s_" + Guid.NewGuid().ToString("N")[..12];
        await _server!.CreateDatabaseAsync(name);
        return _server.ConnectionStringFor(name);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _install?.Dispose();
    }
}
