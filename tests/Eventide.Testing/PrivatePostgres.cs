using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Eventide.Testing;

/// <summary>
/// A PostgreSQL server of the test's own (initdb into a temporary directory, own
/// port), for tests that stop and start the database: stopping the shared server
/// of scripts/test would break every other test class running in parallel.
/// Runs as the <c>postgres</c> user when the tests run as root (the server refuses root).
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;

    private PrivatePostgres(string dir, string bin, int port)
    {
        _dir = dir;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Superuser connection to its <c>postgres</c> database; pooled connections fail fast.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "eventide",
        Database = "postgres",
        Timeout = 3,
    }.ConnectionString;

    public bool IsRunning { get; private set; }

    /// <summary>The PostgreSQL bin directory: EVENTIDE_TEST_PG_BIN from scripts/test, else the Debian location.</summary>
    public static string BinDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("EVENTIDE_TEST_PG_BIN") is { Length: > 0 } bin)
            {
                return bin;
            }
            var found = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")))
                : null;
            return found ?? throw new InvalidOperationException(
                "PostgreSQL binaries not found: set EVENTIDE_TEST_PG_BIN (scripts/test does) or install PostgreSQL");
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Creates a cluster in a fresh temporary directory and starts it, with the binaries
    /// of <paramref name="binDirectory"/> (default <see cref="BinDirectory"/>).</summary>
    public static async Task<PrivatePostgres> StartAsync(CancellationToken cancellationToken = default, string? binDirectory = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "eventide-pg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        var server = new PrivatePostgres(dir, binDirectory ?? BinDirectory, EventideProcess.FreePort());
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", ["postgres", dir], asPostgres: false, cancellationToken);
            }
            await RunAsync(Path.Combine(server._bin, "initdb"),
                ["-D", server.DataDirectory, "-U", "eventide", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                asPostgres: IsRoot, cancellationToken);
            await server.StartServerAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private string DataDirectory => Path.Combine(_dir, "pgdata");

    /// <summary>Starts the stopped server and waits until it accepts connections.</summary>
    public async Task StartServerAsync(CancellationToken cancellationToken = default)
    {
        var options = string.Join(' ',
            "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _dir, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "max_connections=100", "-c", "shared_buffers=32MB");
        await RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", DataDirectory, "-l", Path.Combine(_dir, "postgres.log"), "-o", options, "-w", "-t", "60", "start"],
            asPostgres: IsRoot, cancellationToken);
        IsRunning = true;
    }

    /// <summary>Stops the server (fast mode: open sessions are terminated, as in a real outage).</summary>
    public async Task StopServerAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"],
            asPostgres: IsRoot, cancellationToken);
        IsRunning = false;
    }

    /// <summary>A connection string to another database on this server.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    public async Task CreateDatabaseAsync(string name)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var cmd = dataSource.CreateCommand($"CREATE DATABASE {name}");
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            try
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"],
                    asPostgres: IsRoot, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already down; the directory is removed either way.
            }
            IsRunning = false;
        }
        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task RunAsync(string file, string[] args, bool asPostgres, CancellationToken ct)
    {
        var info = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                info.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
