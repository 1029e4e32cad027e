using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Eventide.Bench;

/// <summary>
/// `scripts/bench --wrk-compare`: one event per request at 32 and 256 connections, driven
/// twice by the bench's own generator and twice by wrk (an independent C load generator,
/// Debian package `wrk`) against the same ingestion process, and the ratio of the two. A
/// ratio well under 1 means the bench measures its own generator, not Eventide.
/// </summary>
public static partial class WrkComparison
{
    public static readonly int[] ConnectionCounts = [32, 256];

    /// <summary>The busiest sites, which both generators post to.</summary>
    private const int WrkSites = 50;

    public static async Task<int> RunAsync(Args a, IReadOnlyList<(string Site, string Key)> sites, SteadyState steady, Func<double, TimeSpan> secs,
        IReadOnlyList<ProcessSampler> roles)
    {
        var rows = await MeasureAsync(a, sites, steady, secs, withWrk: true, roles, CancellationToken.None);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {a.Machine}. One event per request, closed loop, keep-alive connections, same ingestion process; the generators take turns.");
        md.AppendLine();
        md.Append(Markdown(rows));
        md.AppendLine();
        md.Append(ExtraPhases.PhaseTable(Progress.Phases, Progress.ElapsedSeconds));
        Directory.CreateDirectory(a.Out);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var mdPath = Path.Combine(a.Out, $"{stamp}-wrk.md");
        await File.WriteAllTextAsync(Path.Combine(a.Out, $"{stamp}-wrk.json"), JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
        await File.WriteAllTextAsync(mdPath, md.ToString(), Encoding.UTF8);
        Console.WriteLine(md);
        Progress.Say($"==> wrote {mdPath}");
        return 0;
    }

    /// <summary>
    /// Batch 1 at each connection count from the bench's generator and, when
    /// <paramref name="withWrk"/> and wrk is installed, from wrk, in the order <see cref="Order"/>:
    /// each generator's figures are its four runs together, so a drift of the pipeline or the
    /// machine over the minute (a backlog, a refresh, the caches warming, the virtual machine's
    /// speed) weighs on both alike. A single run each differed by 10-25 % from one full run to
    /// the next on an idle machine, with the same CPU per request for both generators; two
    /// 12-second runs each, bench, wrk, wrk, bench, still put the ratio anywhere from 0.86 to
    /// 1.13 over five runs of `--only wrk` within 20 minutes, consecutive runs of one generator
    /// differing by up to 15 %. Each run starts from a drained steady
    /// state (the inbox empty, the refresher idle), and the CPU each process used is read over
    /// each run.
    /// </summary>
    /// <summary>The generators' turns at each connection count: ABBA twice.</summary>
    public static readonly string[] Order = ["bench", "wrk", "wrk", "bench", "bench", "wrk", "wrk", "bench"];

    /// <summary>Seconds of each run.</summary>
    public const int RunSeconds = 6;

    public static async Task<List<Row>> MeasureAsync(Args a, IReadOnlyList<(string Site, string Key)> sites, SteadyState steady,
        Func<double, TimeSpan> secs, bool withWrk, IReadOnlyList<ProcessSampler> roles, CancellationToken ct)
    {
        withWrk = withWrk && WrkInstalled();
        // The same traffic as the Lua script sends: the 50 busiest sites, picked uniformly, no
        // resent ids. With the 1000 Zipf-skewed sites the events spread over more shards, the
        // processor runs more small transactions beside the load, and on two cores the bench
        // then measured a different server, not a different generator.
        var workload = new Workload([.. sites.Take(WrkSites)], duplicateShare: 0, siteExponent: 0);
        var script = Path.Combine(Path.GetTempPath(), $"eventide-wrk-{Environment.ProcessId}.lua");
        await File.WriteAllTextAsync(script, LuaScript([.. sites.Take(WrkSites)]), ct);
        var rows = new List<Row>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            // Unmeasured: whichever generator ran first after the batch-100 warm-up measured
            // slower commits (at 32 connections 0.45 of wrk when the bench went first, 1.40 when
            // wrk did, same machine, load average 23-27): the single-event path and the 50
            // sites' pages were still cold in ingestion, the processor and the database.
            // And long enough: after 10 s of it the first two runs at 32 connections still
            // stored 4,461 and 4,909 events/s, the last two 7,488 and 6,494 (full run of 04:33 UTC);
            // after 30 s the four were 6,042-6,730. Each further connection count gets 15 s of
            // its own first: at 256 connections the first run after 32 was 11,004 against
            // 14,135 for the last.
            var first = true;
            foreach (var connections in ConnectionCounts)
            {
                Progress.Phase($"batch 1, {connections} connections: warm-up (not measured)");
                await new LoadRunner(a.Ingest, workload).RunAsync($"batch 1 warm-up c={connections}", connections, 1, secs(first ? 30 : 15), null, ct);
                first = false;
                // The database's statements over this connection count's runs (and the drains
                // between them): what its share of the CPU per request is spent on.
                var statementsOn = await steady.Db.ResetStatementsAsync(ct);
                var bench = new LoadResult();
                var benchRuns = new Runs();
                var wrkRuns = new Runs();
                var wrkResults = new List<WrkResult>();
                foreach (var generator in withWrk ? Order : ["bench", "bench"])
                {
                    var turn = generator == "bench" ? benchRuns.Count + 1 : wrkRuns.Count + 1;
                    await steady.BeginAsync($"batch 1, {connections} connections: {(generator == "bench" ? "bench generator" : "wrk")}, run {turn}", ct);
                    var before = await CommitStats.ReadAsync(http, a.Ingest);
                    var cpuBefore = CpuSnapshot.Take(roles);
                    if (generator == "bench")
                    {
                        var generatorCpu = Environment.CpuUsage.TotalTime.TotalSeconds;
                        var run = await new LoadRunner(a.Ingest, workload).RunAsync($"bench c={connections}", connections, 1, secs(RunSeconds), null, ct);
                        generatorCpu = Environment.CpuUsage.TotalTime.TotalSeconds - generatorCpu;
                        bench.Merge(run);
                        bench.Seconds += run.Seconds;
                        benchRuns.Add(run.EventsPerSecond, (await CommitStats.ReadAsync(http, a.Ingest)).Since(before), CpuSnapshot.Take(roles).CoresSince(cpuBefore), generatorCpu, run.Requests);
                    }
                    else
                    {
                        var wall = Stopwatch.StartNew();
                        var run = await RunWrkAsync(a.Ingest, script, connections, secs(RunSeconds), ct);
                        var cores = CpuSnapshot.Take(roles).CoresSince(cpuBefore);
                        // The snapshot's generator is this process, idle while wrk runs: wrk's own CPU instead.
                        cores[CpuSnapshot.Generator] = run.CpuSeconds / wall.Elapsed.TotalSeconds;
                        wrkResults.Add(run);
                        wrkRuns.Add(run.RequestsPerSecond, (await CommitStats.ReadAsync(http, a.Ingest)).Since(before), cores, run.CpuSeconds, run.Requests);
                    }
                    await steady.EndAsync(ct);
                }
                rows.Add(new Row(connections, bench.EventsPerSecond, Percentiles.Of(bench.LatenciesMs, 50), Percentiles.Of(bench.LatenciesMs, 95), Percentiles.Of(bench.LatenciesMs, 99), bench.Failures,
                    bench.ByStatus.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
                    wrkResults.Count > 0 ? wrkResults.Average(w => w.RequestsPerSecond) : double.NaN,
                    wrkResults.Count > 0 ? wrkResults.Average(w => w.P50Ms) : double.NaN,
                    wrkResults.Count > 0 ? wrkResults.Average(w => w.P99Ms) : double.NaN,
                    wrkResults.Sum(w => w.NotAccepted), Progress.LoadAverage(),
                    benchRuns.CommitMs, benchRuns.EventsPerCommit, wrkRuns.CommitMs, wrkRuns.EventsPerCommit,
                    benchRuns.GeneratorMicrosPerRequest, wrkRuns.GeneratorMicrosPerRequest)
                {
                    BenchRuns = benchRuns.Rates,
                    WrkRuns = wrkRuns.Rates,
                    BenchCores = benchRuns.Cores,
                    WrkCores = wrkRuns.Cores,
                    Statements = statementsOn ? await steady.Db.TopStatementsAsync(6, ct) : [],
                });
            }
        }
        finally
        {
            File.Delete(script);
        }
        return rows;
    }

    /// <summary>One generator's runs at one connection count: commit statistics, cores by process, its own CPU.</summary>
    private sealed class Runs
    {
        private readonly List<(double MeanMs, double EventsPerCommit)> _commits = [];
        private readonly List<Dictionary<string, double>> _cores = [];
        private double _generatorSeconds;
        private long _requests;

        public int Count => _cores.Count;

        /// <summary>Each run's accepted events per second, in order.</summary>
        public List<double> Rates { get; } = [];

        public void Add(double rate, (double MeanMs, double EventsPerCommit) commits, Dictionary<string, double> cores, double generatorSeconds, long requests)
        {
            Rates.Add(rate);
            _commits.Add(commits);
            _cores.Add(cores);
            _generatorSeconds += generatorSeconds;
            _requests += requests;
        }

        public double CommitMs => _commits.Count > 0 ? _commits.Average(c => c.MeanMs) : double.NaN;

        public double EventsPerCommit => _commits.Count > 0 ? _commits.Average(c => c.EventsPerCommit) : double.NaN;

        public double GeneratorMicrosPerRequest => _requests > 0 ? _generatorSeconds * 1e6 / _requests : double.NaN;

        /// <summary>Average cores by process over the runs.</summary>
        public Dictionary<string, double> Cores => _cores.Count == 0
            ? []
            : _cores.SelectMany(c => c.Keys).Distinct().ToDictionary(k => k, k => _cores.Average(c => c.GetValueOrDefault(k)));
    }

    /// <summary>The comparison table (bench ÷ wrk within 0.9–1.1 means the generator is not the bound).</summary>
    public static string Markdown(IReadOnlyList<Row> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("| batch 1, connections | bench events/s | bench ack p50 / p99 | wrk events/s | wrk ack p50 / p99 | bench ÷ wrk | not accepted (bench / wrk) | group commit: mean ms, events (bench / wrk) | generator CPU per request (bench / wrk) | load average |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var statuses = string.Join(", ", r.BenchStatuses.Where(kv => kv.Key != "202").Select(kv => $"{(kv.Key == "0" ? "no answer" : kv.Key)}: {kv.Value:N0}"));
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Connections} | {r.BenchEventsPerSecond:N0} | {r.BenchP50Ms:F1} / {r.BenchP99Ms:F1} ms | {(double.IsNaN(r.WrkEventsPerSecond) ? "wrk not installed" : r.WrkEventsPerSecond.ToString("N0", CultureInfo.InvariantCulture))} | {r.WrkP50Ms:F1} / {r.WrkP99Ms:F1} ms | {r.Ratio:F2} | {r.BenchFailures:N0}{(statuses.Length > 0 ? $" ({statuses})" : "")} / {r.WrkFailures:N0} | {r.BenchCommitMs:F1} ms, {r.BenchEventsPerCommit:F0} / {r.WrkCommitMs:F1} ms, {r.WrkEventsPerCommit:F0} | {r.BenchCpuMicrosPerRequest:F0} / {r.WrkCpuMicrosPerRequest:F0} µs | {r.LoadAverage:F1} |");
        }
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"The runs ran in the order {string.Join(", ", Order)}, {RunSeconds} s each; the rates above are each generator's runs together (wrk: the mean of its runs). Events per second of each run, and the cores each process used, averaged over the generator's runs:");
        md.AppendLine();
        md.AppendLine("| batch 1, connections | generator | events/s of each run | ingestion | processor | postgres (all backends) | generator | all (cores of 2) |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            foreach (var (name, runs, cores) in new[] { ("bench", r.BenchRuns, r.BenchCores), ("wrk", r.WrkRuns, r.WrkCores) })
            {
                if (runs.Count == 0)
                {
                    continue;
                }
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Connections} | {name} | {string.Join(" / ", runs.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)))} | {Cores(cores, "ingestion")} | {Cores(cores, "processor")} | {Cores(cores, CpuSnapshot.Postgres)} | {Cores(cores, CpuSnapshot.Generator)} | {cores.Values.Sum():F2} |");
            }
        }
        md.AppendLine();
        md.AppendLine("The same cores as CPU per accepted event (cores ÷ the runs' mean events/s): what a request costs the two cores, by process. At a fixed cost the two cores carry 2 ÷ the total events a second:");
        md.AppendLine();
        md.AppendLine("| batch 1, connections | generator | ingestion | processor | postgres (all backends) | generator | all | 2 cores ÷ all |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            foreach (var (name, runs, cores) in new[] { ("bench", r.BenchRuns, r.BenchCores), ("wrk", r.WrkRuns, r.WrkCores) })
            {
                if (runs.Count == 0 || runs.Average() <= 0)
                {
                    continue;
                }
                var rate = runs.Average();
                string Micros(string process) => cores.TryGetValue(process, out var c) ? (c * 1e6 / rate).ToString("F1", CultureInfo.InvariantCulture) + " µs" : "—";
                var all = cores.Values.Sum() * 1e6 / rate;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Connections} | {name} | {Micros("ingestion")} | {Micros("processor")} | {Micros(CpuSnapshot.Postgres)} | {Micros(CpuSnapshot.Generator)} | {all:F1} µs | {2e6 / all:N0}/s |");
            }
        }
        foreach (var r in rows.Where(r => r.Statements.Count > 0))
        {
            md.AppendLine();
            StatementStats.AppendTable(md, $"database time over the {r.Connections}-connection runs (pg_stat_statements)", r.Statements);
        }
        return md.ToString();
    }

    private static string Cores(Dictionary<string, double> cores, string process) =>
        cores.TryGetValue(process, out var c) ? c.ToString("F2", CultureInfo.InvariantCulture) : "—";

    private static bool WrkInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "wrk")));

    /// <summary>
    /// Requests like the bench's batch-1 phase: a JSON array of one event with a fresh id for one
    /// of the busiest sites, its write key as the bearer; only 202s count.
    /// </summary>
    private static string LuaScript(List<(string Site, string Key)> sites)
    {
        var lua = new StringBuilder();
        lua.AppendLine("local sites = {");
        foreach (var (site, key) in sites)
        {
            lua.AppendLine(CultureInfo.InvariantCulture, $"  {{\"{site}\", \"{key}\"}},");
        }
        lua.AppendLine("}");
        lua.AppendLine("""
            local n = 0
            -- Each wrk thread its own seed: with one seed both threads would send the same ids.
            local threads = 0
            function setup(thread)
              threads = threads + 1
              thread:set("tid", threads)
            end
            function init(args)
              math.randomseed(os.time() * 100 + tid)
            end
            request = function()
              n = n + 1
              local s = sites[math.random(#sites)]
              local id = string.format("%08x-%04x-4%03x-8%03x-%012x", math.random(0, 0x7fffffff), n % 65536, math.random(0, 4095), math.random(0, 4095), math.random(0, 0x7fffffff))
              local body = '[{"site_id":"' .. s[1] .. '","name":"pageview","event_id":"' .. id .. '","path":"/p/' .. math.random(200) ..
                '","referrer":"https://www.google.com/","user_id":"u' .. math.random(20000) .. '","properties":{"plan":"free","value":' .. math.random(1000) .. '}}]'
              return wrk.format("POST", "/v1/events", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. s[2] }, body)
            end
            """);
        return lua.ToString();
    }

    private static async Task<WrkResult> RunWrkAsync(Uri ingest, string script, int connections, TimeSpan duration, CancellationToken ct)
    {
        var start = new ProcessStartInfo("wrk")
        {
            ArgumentList = { "-t", "2", "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{(int)duration.TotalSeconds}s", "--latency", "-s", script, ingest.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start; install it with apt-get install wrk");
        var output = wrk.StandardOutput.ReadToEndAsync(ct);
        var errors = wrk.StandardError.ReadToEndAsync(ct);
        // wrk's CPU, read from /proc while it runs (a reaped process has none): the last reading
        // misses at most the final 200 ms.
        var sampler = new ProcessSampler("wrk", wrk.Id);
        double cpu = 0;
        while (!wrk.HasExited)
        {
            try
            {
                cpu = sampler.CpuSeconds();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                break;
            }
            await Task.Delay(200, ct);
        }
        await wrk.WaitForExitAsync(ct);
        return wrk.ExitCode == 0
            ? WrkResult.Parse(await output) with { CpuSeconds = cpu }
            : throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {await errors}{await output}");
    }

    public sealed record Row(int Connections, double BenchEventsPerSecond, double BenchP50Ms, double BenchP95Ms, double BenchP99Ms, long BenchFailures, Dictionary<string, long> BenchStatuses,
        double WrkEventsPerSecond, double WrkP50Ms, double WrkP99Ms, long WrkFailures, double LoadAverage,
        double BenchCommitMs, double BenchEventsPerCommit, double WrkCommitMs, double WrkEventsPerCommit,
        double BenchCpuMicrosPerRequest, double WrkCpuMicrosPerRequest)
    {
        public double Ratio => WrkEventsPerSecond > 0 ? BenchEventsPerSecond / WrkEventsPerSecond : double.NaN;

        /// <summary>Each run's events per second, in the order they ran.</summary>
        public List<double> BenchRuns { get; init; } = [];

        public List<double> WrkRuns { get; init; } = [];

        /// <summary>Cores each process used, averaged over the generator's runs.</summary>
        public Dictionary<string, double> BenchCores { get; init; } = [];

        public Dictionary<string, double> WrkCores { get; init; } = [];

        /// <summary>pg_stat_statements over the connection count's runs, the most database time first.</summary>
        public List<StatementStats> Statements { get; init; } = [];
    }

    /// <summary>What wrk prints: "N requests in Xs", "Non-2xx or 3xx responses: M", the latency distribution's 99%.</summary>
    public sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long NotAccepted)
    {
        /// <summary>CPU seconds wrk used (user + system).</summary>
        public double CpuSeconds { get; init; }

        /// <summary>Requests wrk sent, answered or not.</summary>
        public long Requests { get; init; }

        public static WrkResult Parse(string output)
        {
            var total = TotalPattern().Match(output);
            if (!total.Success)
            {
                throw new FormatException("wrk printed no request count: " + output);
            }
            var requests = long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture);
            var seconds = Seconds(total.Groups[2].Value, total.Groups[3].Value);
            var non2xx = NotAcceptedPattern().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var p50 = P50Pattern().Match(output) is { Success: true } h ? Milliseconds(h.Groups[1].Value, h.Groups[2].Value) : double.NaN;
            var p99 = P99Pattern().Match(output) is { Success: true } p ? Milliseconds(p.Groups[1].Value, p.Groups[2].Value) : double.NaN;
            return new WrkResult((requests - non2xx) / seconds, p50, p99, non2xx) { Requests = requests };
        }

        private static double Seconds(string value, string unit) => Milliseconds(value, unit) / 1000;

        private static double Milliseconds(string value, string unit)
        {
            var v = double.Parse(value, CultureInfo.InvariantCulture);
            return unit switch { "us" => v / 1000, "ms" => v, "s" => v * 1000, "m" => v * 60_000, _ => throw new FormatException("unit " + unit) };
        }
    }

    [GeneratedRegex(@"(\d+) requests in ([\d.]+)(us|ms|s|m),")]
    private static partial Regex TotalPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NotAcceptedPattern();

    [GeneratedRegex(@"^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex P50Pattern();

    [GeneratedRegex(@"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99Pattern();
}
