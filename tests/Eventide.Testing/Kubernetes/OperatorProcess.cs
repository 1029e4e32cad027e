using System.Diagnostics;
using System.Globalization;

namespace Eventide.Testing.Kubernetes;

/// <summary>
/// The real `eventide-operator run` as a child process against a
/// <see cref="FakeApiServer"/>, through a kubeconfig that points at it, with
/// its health and metrics endpoints on a free loopback port.
/// </summary>
public sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringWriter _log = new();

    private OperatorProcess(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
    }

    /// <summary>Where /healthz, /readyz and /metrics are served.</summary>
    public Uri Address { get; }

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

    /// <summary>The built eventide-operator.dll (Release when scripts/test built it, else Debug).</summary>
    public static string BinaryPath
    {
        get
        {
            foreach (var config in new[] { "Release", "Debug" })
            {
                var path = Path.Combine(EventideProcess.RepositoryRoot, "operator", "Eventide.Operator", "bin", config, "net10.0", "eventide-operator.dll");
                if (File.Exists(path))
                {
                    return path;
                }
            }
            throw new InvalidOperationException("eventide-operator.dll is not built: run `dotnet build Pipeline.sln` (scripts/test does)");
        }
    }

    /// <summary>
    /// Starts the operator watching <paramref name="ns"/> and waits for /healthz.
    /// Its lag reads go to the pipeline's query Service by name
    /// (http://&lt;pipeline&gt;-query.&lt;ns&gt;.svc:8080), which only resolves in a
    /// cluster: here they go through an HTTP proxy, the fake API server, which
    /// answers GET /v1/admin/lag. Calls to the API server itself bypass the proxy.
    /// </summary>
    public static async Task<OperatorProcess> StartAsync(FakeApiServer api, string ns, string token = "operator-token")
    {
        var directory = Directory.CreateTempSubdirectory("eventide-operator-").FullName;
        var kubeconfig = Path.Combine(directory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: {api.Url.ToString().TrimEnd('/')}
            users:
              - name: operator
                user:
                  token: {token}
            contexts:
              - name: fake
                context:
                  cluster: fake
                  user: operator
                  namespace: default
            current-context: fake
            """);
        var port = EventideProcess.FreePort();
        var address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            BinaryPath, "run", "--kubeconfig", kubeconfig, "--namespace", ns, "--lease-namespace", "default",
            "--identity", "live-operator", "--health-port", port.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(arg);
        }
        var proxy = api.Url.ToString().TrimEnd('/');
        info.Environment["http_proxy"] = proxy;
        info.Environment["HTTP_PROXY"] = proxy;
        info.Environment["no_proxy"] = "127.0.0.1,localhost";
        info.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        var result = new OperatorProcess(process, directory, address);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.WaitAsync(async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"eventide-operator exited with {process.ExitCode}:\n{result.Log}");
                }
                try
                {
                    return (await http.GetAsync(new Uri(address, "/healthz"))).IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "eventide-operator to serve /healthz");
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
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
