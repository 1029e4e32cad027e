using System.Globalization;

namespace Eventide.Bench;

/// <summary>
/// The sustained end-to-end phase: batches of 100 offered flat out by clients that wait out
/// <c>Retry-After</c>, against an ingestion whose inbox high-water mark is
/// <see cref="Args.E2eHighWater"/> events. The inbox fills to the mark (the load's first seconds,
/// when ingestion accepts more than the processor stores), then ingestion refuses with 503 and
/// the clients pause, so it accepts what is stored and the inbox stays deep. The phase measures
/// from the inbox's first reaching the mark: what the events table gains, the cores each process
/// used and the database's top statements. The ceiling is measured just before and just after it
/// (<see cref="Database.CeilingAsync"/>), because this machine's speed drifts by half within
/// minutes: the ratio's denominator is the mean of the two.
/// </summary>
/// <remarks>
/// Offered flat out with no mark (as until 2026-12-04), ingestion accepted twice what was stored
/// and the cores it spent on the surplus were the processor's. Offered instead at the rate that
/// holds the inbox near a target (a controller setting the rate twice a second from what the
/// processor consumed), the pipeline stored no more: the requests came one at a time, so
/// ingestion's group commits carried one or two of them (docs/benchmark.md, "2026-12-04
/// 18:29–19:10: end to end held back by the inbox's high-water mark").
/// </remarks>
public sealed record EndToEnd(double StoredPerSecond, double Seconds, long InboxAtStart, long InboxAtEnd, double AcceptedPerSecond,
    LoadResult Ingest, Dictionary<string, double> Cores, List<StatementStats> TopStatements, double CeilingBefore, double CeilingAfter,
    long HighWater, double FillSeconds, bool MarkReached)
{
    /// <summary>How long the phase waits for the inbox to reach the mark before it measures anyway.</summary>
    public static readonly TimeSpan FillLimit = TimeSpan.FromSeconds(45);

    /// <summary>The mean of the ceilings measured just before and just after the phase.</summary>
    public double Ceiling => (CeilingBefore + CeilingAfter) / 2;

    public double Ratio => StoredPerSecond / Ceiling;

    /// <summary>Peak RSS of the ingestion the phase started for itself, MB; NaN when it used one it was given.</summary>
    public double IngestionRssMb { get; init; } = double.NaN;

    /// <summary>What one event cost during the phase (<see cref="CpuBudget"/>).</summary>
    public CpuBudget Budget() => CpuBudget.From(Cores, TopStatements, AcceptedPerSecond, StoredPerSecond, Environment.ProcessorCount, Ceiling);

    /// <summary>
    /// The plain pipeline's phase: an ingestion of its own with the high-water mark set (the one
    /// scripts/bench started keeps the default mark, which the saturation phases must not meet),
    /// counted as the ingestion while it runs; the main one idles meanwhile.
    /// </summary>
    public static async Task<EndToEnd> WithOwnIngestionAsync(Args a, Database db, SteadyState steady, Workload workload,
        IReadOnlyList<ProcessSampler> samplers, double seconds, CancellationToken ct)
    {
        if (a.EventideDll is null)
        {
            throw new ArgumentException("the end-to-end phase needs --eventide-dll (scripts/bench passes it)");
        }
        Progress.Phase(string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL: starting the end-to-end phase's ingestion, inbox high-water mark {a.E2eHighWater:N0} events"));
        var environment = new Dictionary<string, string?>
        {
            ["Eventide__Ingestion__InboxHighWater"] = a.E2eHighWater.ToString(CultureInfo.InvariantCulture),
            ["Eventide__Ingestion__GrpcListen"] = $"http://127.0.0.1:{ProcessorFleet.FreePort().ToString(CultureInfo.InvariantCulture)}",
        };
        await using var ingestion = await RoleProcess.StartAsync(a.EventideDll, "ingestion", CpuBudget.Ingestion, environment, ct);
        var counted = samplers.Where(s => s.Name != CpuBudget.Ingestion).Append(ingestion.Sampler).ToList();
        var e2e = await MeasureAsync(db, steady, new LoadRunner(ingestion.Url, workload), counted, a.Connections, seconds,
            Program.CeilingRows(a), "PostgreSQL", a.E2eHighWater, ct);
        return e2e with { IngestionRssMb = Math.Max(ingestion.Sampler.PeakRssBytes, ingestion.Sampler.HighWaterBytes()) / 1048576.0 };
    }

    /// <summary>
    /// The ceiling, the phase and the ceiling again; <paramref name="steady"/> starts each from
    /// empty pipeline tables. <paramref name="runner"/> posts to an ingestion whose high-water
    /// mark is <paramref name="highWater"/> events.
    /// </summary>
    public static async Task<EndToEnd> MeasureAsync(Database db, SteadyState steady, LoadRunner runner, IReadOnlyList<ProcessSampler> samplers,
        int connections, double seconds, int ceilingRows, string engine, long highWater, CancellationToken ct)
    {
        await steady.BeginAsync($"{engine}: ceiling before the end-to-end phase, server-side INSERT … SELECT", ct);
        var before = await db.CeilingAsync(ceilingRows, ct);
        await steady.BeginAsync($"{engine}: end to end, sustained", ct);
        using var stop = new CancellationTokenSource();
        var loadStart = DateTime.UtcNow;
        var load = runner.RunAsync($"{engine} end-to-end", connections, 100, FillLimit + TimeSpan.FromSeconds(seconds + 5), null, ct, stop.Token);
        long inboxAtStart;
        while ((inboxAtStart = await db.InboxEventsAsync(ct)) < highWater && DateTime.UtcNow - loadStart < FillLimit && !load.IsCompleted)
        {
            await Task.Delay(250, ct);
        }
        var fill = (DateTime.UtcNow - loadStart).TotalSeconds;
        var statements = await db.ResetStatementsAsync(ct);
        var storedBefore = await db.StoredEventsAsync(ct);
        var acceptedBefore = runner.AcceptedSoFar;
        var cpuStart = CpuSnapshot.Take(samplers);
        var start = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
        var storedAfter = await db.StoredEventsAsync(ct);
        var acceptedAfter = runner.AcceptedSoFar;
        var elapsed = (DateTime.UtcNow - start).TotalSeconds;
        var cores = CpuSnapshot.Take(samplers).CoresSince(cpuStart);
        var top = statements ? await db.TopStatementsAsync(8, ct) : [];
        var inbox = await db.InboxEventsAsync(ct);
        await stop.CancelAsync();
        var ingest = await load;
        await steady.EndAsync(ct);
        await steady.BeginAsync($"{engine}: ceiling after the end-to-end phase", ct);
        var after = await db.CeilingAsync(ceilingRows, ct);
        return new EndToEnd((storedAfter - storedBefore) / elapsed, elapsed, inboxAtStart, inbox, (acceptedAfter - acceptedBefore) / elapsed,
            ingest, cores, top, before, after, highWater, fill, inboxAtStart >= highWater);
    }

    /// <summary>The report's line for the phase.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"sustained {Seconds:F0} s from {(MarkReached ? "the inbox's reaching" : "the fill's limit, the inbox short of")} ingestion's high-water mark of {HighWater:N0} events, {FillSeconds:F0} s into the load; offered flat out by clients that wait out Retry-After ({Ingest.RetryAfterWaits:N0} waits): ingestion accepted {AcceptedPerSecond:N0}/s; inbox {InboxAtStart:N0} at the start, {InboxAtEnd:N0} at the end");

    /// <summary>The JSON reports' account of the mark: its size, whether and when the inbox reached it, the waits.</summary>
    public object HighWaterJson() => new
    {
        mark = HighWater,
        reached = MarkReached,
        fill_seconds = FillSeconds,
        inbox_at_start = InboxAtStart,
        retry_after_waits = Ingest.RetryAfterWaits,
        ingestion_peak_rss_mb = double.IsNaN(IngestionRssMb) ? (double?)null : IngestionRssMb,
    };

    /// <summary>
    /// The phase's tables: rate, ceiling and ratio; cores by process; top statements; the CPU
    /// budget. <paramref name="engine"/> heads them, <paramref name="scratch"/> says where the
    /// ceiling inserted.
    /// </summary>
    public string Markdown(string engine, string scratch, CpuBudget budget)
    {
        static string F(double v, string format = "N0") => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
        var md = new System.Text.StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"| {engine}: end to end | value |");
        md.AppendLine("|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| end-to-end events/s stored ({Describe()}) | {F(StoredPerSecond)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| ceiling: server-side INSERT … SELECT {scratch}, rows/s, before / after the phase | {F(CeilingBefore)} / {F(CeilingAfter)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| end-to-end ÷ ceiling (their mean) | {F(Ratio, "F2")} |");
        if (!double.IsNaN(IngestionRssMb))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| peak RSS of the phase's own ingestion | {F(IngestionRssMb)} MB |");
        }
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| CPU during sustained load (cores of {Environment.ProcessorCount}) | {engine} |");
        md.AppendLine("|---|---:|");
        foreach (var (name, cores) in Cores)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {cores:F2} |");
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"| all | {Cores.Values.Sum():F2} |");
        md.AppendLine();
        StatementStats.AppendTable(md, $"database time during {engine}'s sustained load (pg_stat_statements)", TopStatements);
        md.AppendLine();
        md.Append(budget.Markdown());
        md.AppendLine();
        return md.ToString();
    }
}
