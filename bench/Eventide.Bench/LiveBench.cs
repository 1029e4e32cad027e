using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Eventide.Storage;
using Npgsql;

namespace Eventide.Bench;

/// <summary>
/// `scripts/bench --only live`: --live-subscribers (default 10 000) concurrent SSE
/// subscribers of one site's /live on the query role, held for --live-seconds. Reports the
/// query process's RSS and CPU and the delivery delay of each message: receive time minus the
/// end of the second it counts (the server waits 0.5 s of grace by design, so that is the floor).
/// </summary>
public static class LiveBench
{
    public static async Task<int> RunAsync(Args a, List<ProcessSampler> samplers)
    {
        await using var dataSource = NpgsqlDataSource.Create(a.ConnectionString);
        var keys = await new SiteStore(dataSource).CreateAsync("bench-live", CancellationToken.None);
        var query = samplers.FirstOrDefault(s => s.Name == "query");
        var rssBefore = query?.RssBytes() ?? 0;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = a.Query, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keys.ReadKey);
        using var stop = new CancellationTokenSource();
        var delays = new List<double>[a.LiveSubscribers];
        var connected = 0;
        var failed = 0;
        Progress.Say($"==> opening {a.LiveSubscribers:N0} live subscribers");
        var clients = Enumerable.Range(0, a.LiveSubscribers).Select(i => Task.Run(async () =>
        {
            delays[i] = [];
            try
            {
                using var response = await http.GetAsync(new Uri("/v1/sites/bench-live/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop.Token);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref connected);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        var now = DateTimeOffset.UtcNow;
                        using var doc = JsonDocument.Parse(line[6..]);
                        var ts = doc.RootElement.GetProperty("ts").GetDateTimeOffset();
                        lock (delays[i])
                        {
                            delays[i].Add((now - ts.AddSeconds(1)).TotalMilliseconds);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The measurement is over.
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref failed);
            }
        })).ToList();
        var opened = Stopwatch.StartNew();
        while (Volatile.Read(ref connected) + Volatile.Read(ref failed) < a.LiveSubscribers && opened.Elapsed < TimeSpan.FromMinutes(3))
        {
            Progress.Status($"    connected {Volatile.Read(ref connected):N0}, failed {Volatile.Read(ref failed):N0}");
            await Task.Delay(500);
        }
        Progress.Say($"\n    {connected:N0} connected in {opened.Elapsed.TotalSeconds:0.0} s, {failed:N0} failed");
        // Measure only the steady state: the delays of the messages received from here on.
        foreach (var d in delays)
        {
            lock (d)
            {
                d.Clear();
            }
        }
        var cpuStart = query?.CpuSeconds() ?? 0;
        var measured = Stopwatch.StartNew();
        long peakRss = 0;
        while (measured.Elapsed < TimeSpan.FromSeconds(a.LiveSeconds))
        {
            peakRss = Math.Max(peakRss, query?.RssBytes() ?? 0);
            await Task.Delay(250);
        }
        var cores = query is null ? 0 : (query.CpuSeconds() - cpuStart) / measured.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        var all = delays.SelectMany(d => d).ToList();
        all.Sort();
        var lines = new List<string>
        {
            $"# Live benchmark: {a.LiveSubscribers:N0} SSE subscribers of one site on one query process, {a.LiveSeconds} s",
            "",
            a.Machine,
            "",
            "| figure | value |",
            "|---|---:|",
            $"| subscribers connected / failed | {connected:N0} / {failed:N0} |",
            $"| messages received in the window | {all.Count:N0} ({all.Count / Math.Max(1.0, a.LiveSeconds) / Math.Max(1, connected):0.00} per subscriber per s) |",
            $"| delivery delay after the second ends p50 / p95 / p99 / max (ms; 500 ms grace by design) | {Percentiles.Of(all, 50):0} / {Percentiles.Of(all, 95):0} / {Percentiles.Of(all, 99):0} / {(all.Count == 0 ? 0 : all[^1]):0} |",
            $"| query process RSS before / peak while subscribed | {rssBefore / 1048576.0:0} MiB / {peakRss / 1048576.0:0} MiB |",
            $"| query process CPU while subscribed | {cores:0.00} cores |",
        };
        lines.ForEach(Progress.Say);
        Directory.CreateDirectory(a.Out);
        var file = Path.Combine(a.Out, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-live.md");
        await File.WriteAllLinesAsync(file, lines);
        Progress.Say($"==> wrote {file}");
        return 0;
    }
}
