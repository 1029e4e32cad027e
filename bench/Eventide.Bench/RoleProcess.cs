using System.Diagnostics;
using System.Globalization;

namespace Eventide.Bench;

/// <summary>
/// An <c>eventide run</c> process the bench starts itself (a processor member of the horizontal
/// phase, the TimescaleDB phase's roles). It inherits the script's environment (the database, the
/// admin token) with <c>environment</c>'s entries set on top, an entry whose value is null
/// removed. Stopped with SIGTERM, the host's graceful stop, on dispose.
/// </summary>
public sealed class RoleProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Process _process;

    private RoleProcess(Process process, Uri url, ProcessSampler sampler)
    {
        _process = process;
        Url = url;
        Sampler = sampler;
    }

    /// <summary>The process's HTTP address.</summary>
    public Uri Url { get; }

    /// <summary>Its CPU and memory, sampled since it started.</summary>
    public ProcessSampler Sampler { get; }

    /// <summary>Starts <c>eventide run --roles <paramref name="roles"/></c> and waits for its /healthz.</summary>
    public static async Task<RoleProcess> StartAsync(string eventideDll, string roles, string name,
        IReadOnlyDictionary<string, string?> environment, CancellationToken ct)
    {
        var url = new Uri($"http://127.0.0.1:{ProcessorFleet.FreePort().ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { eventideDll, "run", "--roles", roles, "--listen", url.ToString().TrimEnd('/'), "--no-migrate" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The generator's own runtime settings (scripts/bench) are not the roles': every role
        // runs as the ones the script started do.
        start.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS");
        start.Environment.Remove("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit");
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        // Drained so a chatty role never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sampler = new ProcessSampler(name, process.Id);
        sampler.Start();
        var role = new RoleProcess(process, url, sampler);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}");
            }
            try
            {
                using var response = await Http.GetAsync(new Uri(url, "/healthz"), ct);
                if (response.IsSuccessStatusCode)
                {
                    return role;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(200, ct);
        }
        await role.DisposeAsync();
        throw new TimeoutException($"{name} did not answer /healthz within 90 s");
    }

    /// <summary>SIGTERM, then up to 60 s for the graceful stop (a processor hands its shards off), then a kill.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }
        _process.Dispose();
    }
}
