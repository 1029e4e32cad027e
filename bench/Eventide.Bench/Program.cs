using System.Globalization;
using System.Text;
using System.Text.Json;
using Eventide.Storage;
using Npgsql;

namespace Eventide.Bench;

/// <summary>
/// eventide-bench: drives a running pipeline (roles as separate processes,
/// started by scripts/bench) and reports throughput, latency, freshness and
/// memory as ratios to this machine's own database ceiling, all in one run.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var a = Args.Parse(args);
        if (a.SoakMinutes > 0)
        {
            return await Soak.RunAsync(a);
        }
        if (a.Only == "query")
        {
            return await QueryBench.RunAsync(a);
        }
        if (a.Only == "live")
        {
            return await LiveBench.RunAsync(a, a.Pids.Select(p => new ProcessSampler(p.Key, p.Value)).ToList());
        }
        var scale = a.Quick ? 0.2 : 1.0;
        TimeSpan Secs(double s) => TimeSpan.FromSeconds(Math.Max(3, s * scale));
        var ct = CancellationToken.None;

        await using var dataSource = NpgsqlDataSource.Create(a.ConnectionString);
        var db = new Database(dataSource);
        var samplers = a.Pids.Select(p => new ProcessSampler(p.Key, p.Value)).ToList();
        samplers.ForEach(s => s.Start());
        using var sampling = new CancellationTokenSource();
        var samplerTask = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                samplers.ForEach(s => s.Sample());
                await Task.Delay(250);
            }
        });

        Progress.Say($"==> creating {a.Sites} sites");
        var store = new SiteStore(dataSource);
        var sites = await CreateSitesAsync(store, "bench", a.Sites);
        var probeKeys = await store.CreateAsync("bench-probe", ct);
        var workload = new Workload(sites, duplicateShare: 0.10);
        using var http = LoadRunner.CreateClient(a.Connections + 4);
        var runner = new LoadRunner(a.Ingest, workload);

        Progress.Say("==> warm-up");
        await runner.RunAsync("warm-up", a.Connections, 100, Secs(5), null, ct);
        await DrainAsync(db, TimeSpan.FromSeconds(120));

        if (a.GrpcCompare)
        {
            var code = await GrpcComparison.RunAsync(a, runner, workload, () => DrainAsync(db, TimeSpan.FromSeconds(180)), Secs);
            await sampling.CancelAsync();
            await samplerTask;
            return code;
        }

        if (a.WrkCompare)
        {
            var code = await WrkComparison.RunAsync(a, workload, sites, () => DrainAsync(db, TimeSpan.FromSeconds(180)), Secs);
            await sampling.CancelAsync();
            await samplerTask;
            return code;
        }

        if (a.OnlyRate is { } onlyRate)
        {
            await ProfileRateAsync(runner, a, onlyRate, samplers, db);
            await sampling.CancelAsync();
            await samplerTask;
            return 0;
        }

        var saturation = new Dictionary<int, LoadResult>();
        foreach (var batch in new[] { 1, 100, 1000 })
        {
            Progress.Say($"==> ingestion at saturation, batch {batch}");
            saturation[batch] = await runner.RunAsync($"saturation batch={batch}", a.Connections, batch, Secs(15), null, ct);
            await DrainAsync(db, TimeSpan.FromSeconds(180));
        }

        Progress.Say("==> end to end, sustained");
        var e2eSeconds = Math.Max(5, 60 * scale);
        var statements = await db.ResetStatementsAsync(ct);
        var storedBefore = await db.StoredEventsAsync(ct);
        var e2eCpuStart = CpuSnapshot.Take(samplers);
        var e2eStart = DateTime.UtcNow;
        var e2eLoad = runner.RunAsync("end-to-end", a.Connections, 100, TimeSpan.FromSeconds(e2eSeconds + 5), null, ct);
        await Task.Delay(TimeSpan.FromSeconds(e2eSeconds));
        var storedAfter = await db.StoredEventsAsync(ct);
        var e2eElapsed = (DateTime.UtcNow - e2eStart).TotalSeconds;
        var e2eCpu = CpuSnapshot.Take(samplers).CoresSince(e2eCpuStart);
        var topStatements = statements ? await db.TopStatementsAsync(8, ct) : [];
        var inboxAtEnd = await db.InboxEventsAsync(ct);
        var e2eIngest = await e2eLoad;
        var endToEnd = (storedAfter - storedBefore) / e2eElapsed;
        await DrainAsync(db, TimeSpan.FromSeconds(180));

        // Half of what the whole pipeline sustains, not of what ingestion alone accepts: above the
        // end-to-end rate the inbox grows and latency measures the backlog, not the pipeline.
        var half = endToEnd * 0.5;
        Progress.Say($"==> 50 % of the end-to-end rate: {half:F0} events/s with freshness probes");
        using var probeCts = new CancellationTokenSource();
        var probe = new FreshnessProbe(a.Ingest, probeKeys.Site, probeKeys.WriteKey, db, http);
        var probing = probe.RunAsync(probeCts.Token);
        var halfCpuStart = CpuSnapshot.Take(samplers);
        var halfLoad = await runner.RunAsync("50% load", a.Connections, 100, Secs(45), half, ct);
        var halfCpu = CpuSnapshot.Take(samplers).CoresSince(halfCpuStart);
        await probeCts.CancelAsync();
        await probing;
        await DrainAsync(db, TimeSpan.FromSeconds(120));

        Progress.Say("==> ceiling: server-side INSERT … SELECT into a scratch copy of events");
        var ceiling = await db.CeilingAsync(a.Quick ? 200_000 : 1_000_000, ct);
        Progress.Say("==> naive baseline: one INSERT per event over one connection");
        var naive = await db.NaiveAsync(Secs(10), ct);

        await sampling.CancelAsync();
        await samplerTask;
        var report = Report.Build(a, saturation, endToEnd, e2eElapsed, inboxAtEnd, e2eIngest, half, halfLoad, probe, ceiling, naive, samplers,
            new PhaseProfile(e2eCpu, halfCpu, topStatements));
        Directory.CreateDirectory(a.Out);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var jsonPath = Path.Combine(a.Out, $"{stamp}.json");
        var mdPath = Path.Combine(a.Out, $"{stamp}.md");
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report.Json, new JsonSerializerOptions { WriteIndented = true }));
        await File.WriteAllTextAsync(mdPath, report.Markdown, Encoding.UTF8);
        Console.WriteLine(report.Markdown);
        Progress.Say($"==> wrote {jsonPath} and {mdPath}");
        return 0;
    }

    /// <summary>
    /// One fixed-rate phase and its latency distribution, with the CPU each process used during
    /// it: for profiling one load point (attach dotnet-trace or pg_stat_statements meanwhile).
    /// </summary>
    private static async Task ProfileRateAsync(LoadRunner runner, Args a, double rate, List<ProcessSampler> samplers, Database db)
    {
        var cpuBefore = CpuSnapshot.Take(samplers);
        var result = await runner.RunAsync($"{rate:F0} events/s", a.Connections, 100, TimeSpan.FromSeconds(a.OnlySeconds), rate, CancellationToken.None);
        var cpu = string.Join(", ", CpuSnapshot.Take(samplers).CoresSince(cpuBefore).Select(kv => $"{kv.Key} {kv.Value:F2}"));
        var l = result.LatenciesMs;
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"rate {result.EventsPerSecond:F0} events/s, {result.Requests} requests, non-202 {result.Failures}; ack p50 {Percentiles.Of(l, 50):F1} ms, p90 {Percentiles.Of(l, 90):F1} ms, p95 {Percentiles.Of(l, 95):F1} ms, p99 {Percentiles.Of(l, 99):F1} ms, p99.9 {Percentiles.Of(l, 99.9):F1} ms, max {Percentiles.Of(l, 100):F1} ms; CPU: {cpu}"));
        await DrainAsync(db, TimeSpan.FromSeconds(120));
        Console.WriteLine("peak RSS: " + string.Join(", ", samplers.Select(s => $"{s.Name} {Math.Max(s.PeakRssBytes, s.HighWaterBytes()) / 1048576.0:F0} MB")));
    }

    /// <summary>Sites <paramref name="prefix"/>-0000 … with their write keys, created 8 at a time.</summary>
    public static async Task<(string Site, string Key)[]> CreateSitesAsync(SiteStore store, string prefix, int count)
    {
        var sites = new (string Site, string Key)[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, c) =>
        {
            var keys = await store.CreateAsync($"{prefix}-{i:D4}", c);
            sites[i] = (keys.Site, keys.WriteKey);
        });
        return sites;
    }

    private static async Task DrainAsync(Database db, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long waiting;
        while ((waiting = await db.InboxEventsAsync(CancellationToken.None)) > 0 && DateTime.UtcNow < deadline)
        {
            Progress.Status($"draining the inbox: {waiting:N0} events waiting");
            await Task.Delay(250);
        }
        Console.Error.WriteLine();
        if (waiting > 0)
        {
            Progress.Say($"warning: {waiting:N0} events still in the inbox after {timeout.TotalSeconds} s");
        }
    }
}
