using System.Globalization;

namespace Eventide.Bench;

/// <summary>
/// The sustained end-to-end phase: batches of 100 offered flat out for a fixed time while the
/// events table's growth is counted, with the cores each process used and the database's top
/// statements meanwhile. Ingestion accepts more than the processor stores, so the inbox grows;
/// what the events table gains is the pipeline's rate. The ceiling is measured just before and
/// just after it (<see cref="Database.CeilingAsync"/>), because this machine's speed drifts by
/// half within minutes: the ratio's denominator is the mean of the two.
/// </summary>
/// <remarks>
/// Offered instead at the rate that holds the inbox near a target (a controller setting the rate
/// twice a second from what the processor consumed), the pipeline stored no more: the processor's
/// transactions shrank from about 4,200 to 450 events and ingestion's group commits to one or two
/// requests, which cost more CPU an event than the surplus a flat-out ingestion accepts
/// (docs/benchmark.md, "Offered flat out or held at balance").
/// </remarks>
public sealed record EndToEnd(double StoredPerSecond, double Seconds, long InboxAtEnd, LoadResult Ingest,
    Dictionary<string, double> Cores, List<StatementStats> TopStatements, double CeilingBefore, double CeilingAfter)
{
    /// <summary>The mean of the ceilings measured just before and just after the phase.</summary>
    public double Ceiling => (CeilingBefore + CeilingAfter) / 2;

    public double Ratio => StoredPerSecond / Ceiling;

    public double AcceptedPerSecond => Ingest.EventsPerSecond;

    /// <summary>What one event cost during the phase (<see cref="CpuBudget"/>).</summary>
    public CpuBudget Budget() => CpuBudget.From(Cores, TopStatements, AcceptedPerSecond, StoredPerSecond, Environment.ProcessorCount, Ceiling);

    /// <summary>The ceiling, the phase and the ceiling again; <paramref name="steady"/> starts each from empty pipeline tables.</summary>
    public static async Task<EndToEnd> MeasureAsync(Database db, SteadyState steady, LoadRunner runner, IReadOnlyList<ProcessSampler> samplers,
        int connections, double seconds, int ceilingRows, string engine, CancellationToken ct)
    {
        await steady.BeginAsync($"{engine}: ceiling before the end-to-end phase, server-side INSERT … SELECT", ct);
        var before = await db.CeilingAsync(ceilingRows, ct);
        await steady.BeginAsync($"{engine}: end to end, sustained", ct);
        var statements = await db.ResetStatementsAsync(ct);
        var storedBefore = await db.StoredEventsAsync(ct);
        var cpuStart = CpuSnapshot.Take(samplers);
        var start = DateTime.UtcNow;
        var load = runner.RunAsync($"{engine} end-to-end", connections, 100, TimeSpan.FromSeconds(seconds + 5), null, ct);
        await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
        var storedAfter = await db.StoredEventsAsync(ct);
        var elapsed = (DateTime.UtcNow - start).TotalSeconds;
        var cores = CpuSnapshot.Take(samplers).CoresSince(cpuStart);
        var top = statements ? await db.TopStatementsAsync(8, ct) : [];
        var inbox = await db.InboxEventsAsync(ct);
        var ingest = await load;
        await steady.EndAsync(ct);
        await steady.BeginAsync($"{engine}: ceiling after the end-to-end phase", ct);
        var after = await db.CeilingAsync(ceilingRows, ct);
        return new EndToEnd((storedAfter - storedBefore) / elapsed, elapsed, inbox, ingest, cores, top, before, after);
    }

    /// <summary>The report's line for the phase.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"sustained {Seconds:F0} s, offered flat out: ingestion accepted {AcceptedPerSecond:N0}/s; inbox at end {InboxAtEnd:N0}");

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
