using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Eventide.Testing;

/// <summary>
/// The real `eventide` binary as a child process on a loopback port, for
/// tests that kill it (-9), restart it, or run roles as separate processes.
/// </summary>
public sealed class EventideProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringWriter _log = new();

    private EventideProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited.</summary>
    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The built eventide.dll (Release when scripts/test built it, else Debug).</summary>
    public static string BinaryPath
    {
        get
        {
            var root = RepositoryRoot;
            foreach (var config in new[] { "Release", "Debug" })
            {
                var path = Path.Combine(root, "src", "Eventide.Server", "bin", config, "net10.0", "eventide.dll");
                if (File.Exists(path))
                {
                    return path;
                }
            }
            throw new InvalidOperationException("eventide.dll is not built: run `dotnet build Pipeline.sln` (scripts/test does)");
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("Pipeline.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts `eventide run` with the given roles and environment and waits for /healthz.</summary>
    public static async Task<EventideProcess> StartAsync(
        string connectionString, string roles = "all", IDictionary<string, string>? environment = null, int? port = null, TimeSpan? timeout = null)
    {
        var p = port ?? FreePort();
        var address = new Uri($"http://127.0.0.1:{p}");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { BinaryPath, "run", "--roles", roles, "--listen", address.ToString().TrimEnd('/') })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["Eventide__Database__ConnectionString"] = connectionString;
        info.Environment["Eventide__Database__Timescale"] = "Off";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // A free port for gRPC: processes run side by side, and the default (8081) would collide.
        info.Environment["Eventide__Ingestion__GrpcListen"] = "http://127.0.0.1:0";
        // A free remoting port unless the test places the member in a cluster itself.
        info.Environment["Eventide__Cluster__Port"] = "0";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        var process = Process.Start(info)!;
        var result = new EventideProcess(process, address);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"eventide exited with {process.ExitCode}:\n{result.Log}");
            }
            try
            {
                var response = await http.GetAsync(new Uri(address, "/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return result;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        await result.DisposeAsync();
        throw new TimeoutException($"eventide did not serve /healthz within the deadline:\n{result.Log}");
    }

    /// <summary>kill -9: no shutdown hooks, no flushing.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM and wait: the graceful path (flush, hand off).</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }
        using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await term.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.WriteLine(line);
        }
    }
}
