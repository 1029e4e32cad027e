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
        CpuSnapshot.PostmasterPid = CpuSnapshot.ParentOf(await db.BackendPidAsync(ct));
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

        Progress.Phase($"creating {a.Sites} sites");
        var store = new SiteStore(dataSource);
        var sites = await SiteScale.CreateSitesAsync(dataSource, "bench", a.Sites, ct);
        var probeKeys = await store.CreateAsync("bench-probe", ct);
        var workload = new Workload(sites, duplicateShare: 0.10);
        using var http = LoadRunner.CreateClient(a.Connections + 4);
        var runner = new LoadRunner(a.Ingest, workload);
        Func<Task> drain = () => DrainAsync(db, TimeSpan.FromSeconds(180));
        // Every phase starts on empty pipeline tables unless --keep-data: no phase reads what an
        // earlier one stored, and draining the sustained phases' backlogs and recomputing their
        // aggregates took 6 of the run's 16 minutes. The deadline is for --keep-data, long enough
        // for the refresher to recompute what the sustained phase left (a minute or two on this
        // machine); a phase that still starts unsteady says so in the report.
        var steady = new SteadyState(db, TimeSpan.FromSeconds(180), clear: !a.KeepData);
        var processor = samplers.FirstOrDefault(s => s.Name == "processor");
        if (processor is not null)
        {
            Progress.ProcessorHighWaterMb = () => processor.HighWaterBytes() / 1048576.0;
        }

        Progress.Phase("warm-up");
        await runner.RunAsync("warm-up", a.Connections, 100, Secs(5), null, ct);
        await drain();

        async Task<int> Finish(int code)
        {
            await sampling.CancelAsync();
            await samplerTask;
            return code;
        }

        if (a.GrpcCompare)
        {
            return await Finish(await GrpcComparison.RunAsync(a, runner, workload, drain, Secs));
        }
        if (a.WrkCompare || a.Only == "wrk")
        {
            return await Finish(await WrkComparison.RunAsync(a, sites, steady, Secs, samplers));
        }
        if (a.OnlyRate is { } onlyRate)
        {
            await ProfileRateAsync(runner, a, onlyRate, samplers, db);
            return await Finish(0);
        }
        if (a.Only == "sites")
        {
            var alone = await SiteScale.RunAsync(a, dataSource, processor, a.Rate ?? 10_000, Secs(45), steady, drain, ct);
            return await Finish(await WriteAsync(a, ExtraPhases.Build(a, [], alone, [])));
        }
        if (a.Only == "horizontal")
        {
            var curve = await Horizontal.RunAsync(a, db, runner, samplers, steady, Secs(25), ct);
            return await Finish(await WriteAsync(a, ExtraPhases.Build(a, [], null, curve)));
        }
        if (a.Only == "e2e")
        {
            var alone = await EndToEnd.WithOwnIngestionAsync(a, db, steady, workload, samplers, Math.Max(5, 60 * scale), ct);
            return await Finish(await WriteAsync(a, new Report(new Dictionary<string, object>
            {
                ["ceiling_rows_per_s"] = new { before = alone.CeilingBefore, after = alone.CeilingAfter },
                ["end_to_end_events_per_s"] = alone.StoredPerSecond,
                ["ratio_end_to_end_to_ceiling"] = alone.Ratio,
                ["inbox_high_water"] = alone.HighWaterJson(),
            }, alone.Markdown("PostgreSQL", "into a scratch copy of events", alone.Budget()))));
        }
        if (a.Only == "timescale")
        {
            var alone = await TimescalePhase.RunAsync(a, Math.Max(5, 60 * scale), ct);
            return await Finish(await WriteAsync(a, new Report(new Dictionary<string, object> { ["timescale"] = TimescalePhase.Json(alone) ?? "not measured" },
                TimescalePhase.Markdown(alone))));
        }
        if (a.Only is { } only)
        {
            throw new ArgumentException($"--only {only}: expected query, live, wrk, sites, horizontal, e2e or timescale");
        }

        Progress.Phase("naive baseline: one INSERT per event over one connection");
        var naive = await db.NaiveAsync(Secs(10), ct);

        // Batch 1 at 32 and 256 connections, from the bench's generator and from wrk when it is
        // installed: the batch-1 rows, and the check that the generator is not their bound.
        var batchOne = await WrkComparison.MeasureAsync(a, sites, steady, Secs, withWrk: true, samplers, ct);
        var saturation = new Dictionary<int, LoadResult>();
        foreach (var batch in new[] { 100, 1000 })
        {
            await steady.BeginAsync($"ingestion at saturation, batch {batch}", ct);
            saturation[batch] = await runner.RunAsync($"saturation batch={batch}", a.Connections, batch, Secs(15), null, ct);
            await steady.EndAsync(ct);
        }

        // The ceiling is one backend inserting alone, into a scratch table of its own: not beside
        // a backlog or a refresh round, and what the other phases store does not change it.
        var e2e = await EndToEnd.WithOwnIngestionAsync(a, db, steady, workload, samplers, Math.Max(5, 60 * scale), ct);
        var endToEnd = e2e.StoredPerSecond;

        // Half of what the whole pipeline sustains, not of what ingestion alone accepts: above the
        // end-to-end rate the inbox grows and latency measures the backlog, not the pipeline.
        var half = endToEnd * 0.5;
        await steady.BeginAsync($"50 % of the end-to-end rate: {half:F0} events/s with freshness probes", ct);
        using var probeCts = new CancellationTokenSource();
        var probe = new FreshnessProbe(a.Ingest, probeKeys.Site, probeKeys.WriteKey, db, http);
        var probing = probe.RunAsync(probeCts.Token);
        var halfStatementsOn = await db.ResetStatementsAsync(ct);
        var halfCpuStart = CpuSnapshot.Take(samplers);
        using var secondsCts = new CancellationTokenSource();
        var halfSecondsSampling = new SecondSampler(dataSource).RunAsync(secondsCts.Token);
        var halfLoad = await runner.RunAsync("50% load", a.Connections, 100, Secs(45), half, ct);
        await secondsCts.CancelAsync();
        var halfSeconds = await halfSecondsSampling;
        var halfCpu = CpuSnapshot.Take(samplers).CoresSince(halfCpuStart);
        var halfStatements = halfStatementsOn ? await db.TopStatementsAsync(8, ct) : [];
        await probeCts.CancelAsync();
        await probing;
        await steady.EndAsync(ct);

        // The same half rate, spread over many sites in small batches.
        var scaleResult = await SiteScale.RunAsync(a, dataSource, processor, half, Secs(45), steady, drain, ct);
        var horizontal = await Horizontal.RunAsync(a, db, runner, samplers, steady, Secs(25), ct);
        // Last: its roles start and stop within it, and the plain phases run without them. The
        // plain pipeline is emptied and left idle first: the horizontal phase's backlog and the
        // refresher's recompute of it would otherwise share the cores with the TimescaleDB figures.
        if (a.TimescaleConnectionString is not null)
        {
            await steady.BeginAsync("PostgreSQL pipeline emptied and idle before the TimescaleDB phase", ct);
            await steady.EndAsync(ct);
        }
        var timescale = await TimescalePhase.RunAsync(a, Math.Max(5, 60 * scale), ct);

        await sampling.CancelAsync();
        await samplerTask;
        var report = Report.Build(a, batchOne, saturation, e2e, timescale, half, halfLoad, probe, naive, samplers,
            new PhaseProfile(halfCpu, halfStatements, halfSeconds));
        var extra = ExtraPhases.Build(a, batchOne, scaleResult, horizontal);
        foreach (var (k, v) in extra.Json)
        {
            report.Json[k] = v;
        }
        return await WriteAsync(a, new Report(report.Json, report.Markdown + Environment.NewLine + extra.Markdown));
    }

    /// <summary>Rows of each ceiling measurement.</summary>
    public static int CeilingRows(Args a) => a.Quick ? 200_000 : 1_000_000;

    /// <summary>Writes bench/results/&lt;timestamp&gt;.json and .md and prints the markdown.</summary>
    private static async Task<int> WriteAsync(Args a, Report report)
    {
        report.Json["phases"] = Progress.Phases.Select(m => new
        {
            title = m.Title,
            start_s = m.StartSeconds,
            load_average = m.LoadAverage,
            steady_wait_s = m.Start?.WaitedSeconds,
            steady = m.Start?.Steady,
            inbox_at_start = m.Start?.InboxEvents,
            dirty_hours_at_start = m.Start?.DirtyHours,
            cleared_inbox_events = m.Start?.Cleared?.InboxEvents,
            cleared_dirty_hours = m.Start?.Cleared?.DirtyHours,
            clear_seconds = m.Start?.Cleared?.Seconds,
            inbox_at_end = m.InboxAtEnd,
        }).ToList();
        report.Json["total_seconds"] = Progress.ElapsedSeconds;
        var markdown = report.Markdown + Environment.NewLine + ExtraPhases.PhaseTable(Progress.Phases, Progress.ElapsedSeconds);
        Directory.CreateDirectory(a.Out);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var suffix = a.Only is { } only ? "-" + only : "";
        var jsonPath = Path.Combine(a.Out, $"{stamp}{suffix}.json");
        var mdPath = Path.Combine(a.Out, $"{stamp}{suffix}.md");
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report.Json, new JsonSerializerOptions { WriteIndented = true }));
        await File.WriteAllTextAsync(mdPath, markdown, Encoding.UTF8);
        Console.WriteLine(markdown);
        Progress.Say($"==> wrote {jsonPath} and {mdPath}");
        return 0;
    }

    /// <summary>
    /// One fixed-rate phase and its latency distribution, with the CPU each process used during
    /// it: for profiling one load point (attach dotnet-trace or pg_stat_statements meanwhile).
    /// </summary>
    private static async Task ProfileRateAsync(LoadRunner runner, Args a, double rate, List<ProcessSampler> samplers, Database db)
    {
        var statements = await db.ResetStatementsAsync(CancellationToken.None);
        var cpuBefore = CpuSnapshot.Take(samplers);
        var storedBefore = await db.StoredEventsAsync(CancellationToken.None);
        var endToEnd = System.Diagnostics.Stopwatch.StartNew();
        var result = await runner.RunAsync($"{rate:F0} events/s", a.Connections, 100, TimeSpan.FromSeconds(a.OnlySeconds), rate, CancellationToken.None);
        var cpu = string.Join(", ", CpuSnapshot.Take(samplers).CoresSince(cpuBefore).Select(kv => $"{kv.Key} {kv.Value:F2}"));
        var l = result.LatenciesMs;
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"rate {result.EventsPerSecond:F0} events/s, {result.Requests} requests, non-202 {result.Failures}; ack p50 {Percentiles.Of(l, 50):F1} ms, p90 {Percentiles.Of(l, 90):F1} ms, p95 {Percentiles.Of(l, 95):F1} ms, p99 {Percentiles.Of(l, 99):F1} ms, p99.9 {Percentiles.Of(l, 99.9):F1} ms, max {Percentiles.Of(l, 100):F1} ms; the generator's send delay inside them p50 {Percentiles.Of(result.SendLateMs, 50):F1} / p99 {Percentiles.Of(result.SendLateMs, 99):F1} / max {Percentiles.Of(result.SendLateMs, 100):F1} ms; CPU: {cpu}"));
        await DrainAsync(db, TimeSpan.FromSeconds(120));
        // Above the processor's rate the backlog keeps it busy from start to drained, so this is
        // its storing rate: the figure to read beside its RSS when trying runtime settings.
        var stored = await db.StoredEventsAsync(CancellationToken.None) - storedBefore;
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"stored {stored:N0} events in {endToEnd.Elapsed.TotalSeconds:F1} s from the start of the load to the drained inbox: {stored / endToEnd.Elapsed.TotalSeconds:N0} events/s end to end"));
        // The database's time by statement over the load and its drain: what the processor's
        // transaction and the aggregate refresher each cost at this rate.
        foreach (var st in statements ? await db.TopStatementsAsync(8, CancellationToken.None) : [])
        {
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"  {st.SharePercent,5:F1} % {st.Calls,7} calls {st.TotalMs / Math.Max(1, st.Calls),9:F2} ms/call  {st.Query[..Math.Min(110, st.Query.Length)]}"));
        }
        Console.WriteLine("peak RSS: " + string.Join(", ", samplers.Select(s => $"{s.Name} {Math.Max(s.PeakRssBytes, s.HighWaterBytes()) / 1048576.0:F0} MB")));
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
