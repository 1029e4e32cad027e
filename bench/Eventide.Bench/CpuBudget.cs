using System.Globalization;
using System.Text;

namespace Eventide.Bench;

/// <summary>
/// The CPU one event costs end to end, from the sustained phase's cores by process and its
/// database time by statement: what bounds end to end on a machine whose cores are all busy.
/// During that phase ingestion accepts more than the processor stores (the inbox grows), so
/// ingestion's costs are counted per accepted event and the processor's per stored event; their
/// sum is what one event costs on its way in and out, and the machine's cores divided by it the
/// rate at which ingestion and processor would balance on them. The load generator's CPU is left
/// out: clients run elsewhere.
/// </summary>
/// <remarks>
/// The database's cores are split by each statement's share of execution time
/// (pg_stat_statements), which counts a statement waiting for the CPU as well as running on it:
/// the split is an estimate, the total is measured.
/// </remarks>
public sealed record CpuBudget(List<CpuBudget.Part> Parts, double Cores, double Ceiling)
{
    public const string Ingestion = "ingestion";
    public const string Processor = "processor";

    /// <summary>One line of the budget: CPU microseconds per event, per accepted or per stored event.</summary>
    public sealed record Part(string Name, double MicrosPerEvent, bool PerStored);

    public double MicrosPerEvent => Parts.Sum(p => p.MicrosPerEvent);

    /// <summary>Events a second the machine's cores allow at these costs, ingestion and processor balanced.</summary>
    public double RateBound => MicrosPerEvent <= 0 ? double.NaN : Cores * 1e6 / MicrosPerEvent;

    /// <summary>Cores the pipeline would need to run at <paramref name="rate"/> at these costs.</summary>
    public double CoresFor(double rate) => rate * MicrosPerEvent / 1e6;

    /// <summary>The statements the ingestion role sends: its inbox insert and its wake-ups.</summary>
    public static bool IsIngestionStatement(string query) =>
        query.StartsWith("INSERT INTO eventide.inbox ", StringComparison.Ordinal) || query.Contains("pg_notify", StringComparison.Ordinal);

    /// <param name="cores">Cores each process used during the phase (<see cref="CpuSnapshot.CoresSince"/>).</param>
    /// <param name="statements">The phase's top statements; their shares are of all database time.</param>
    /// <param name="accepted">Events a second ingestion accepted.</param>
    /// <param name="stored">Events a second the processor stored.</param>
    /// <param name="machineCores">Cores of the machine.</param>
    /// <param name="ceiling">The ceiling's rows a second, one backend on one core.</param>
    public static CpuBudget From(IReadOnlyDictionary<string, double> cores, IReadOnlyList<StatementStats> statements, double accepted, double stored,
        double machineCores, double ceiling)
    {
        double Per(double c, double rate) => rate > 0 ? c * 1e6 / rate : double.NaN;
        var pg = cores.GetValueOrDefault(CpuSnapshot.Postgres);
        var parts = new List<Part> { new("ingestion role", Per(cores.GetValueOrDefault(Ingestion), accepted), false) };
        var listed = 0.0;
        foreach (var st in statements.Where(s => IsIngestionStatement(s.Query)))
        {
            parts.Add(new Part($"PostgreSQL: `{Short(st.Query)}` ({st.SharePercent:F0} % of database time)", Per(pg * st.SharePercent / 100, accepted), false));
            listed += st.SharePercent;
        }
        parts.Add(new Part("processor role", Per(cores.GetValueOrDefault(Processor), stored), true));
        foreach (var st in statements.Where(s => !IsIngestionStatement(s.Query)))
        {
            parts.Add(new Part($"PostgreSQL: `{Short(st.Query)}` ({st.SharePercent:F0} %)", Per(pg * st.SharePercent / 100, stored), true));
            listed += st.SharePercent;
        }
        var rest = Math.Max(0, 100 - listed);
        if (statements.Count == 0 || rest >= 0.5)
        {
            // Statements outside the top ones (or all of them, without pg_stat_statements): counted
            // against stored events, as most of the database's work is the processor's.
            parts.Add(new Part(statements.Count == 0 ? "PostgreSQL, all statements" : $"PostgreSQL: other statements ({rest:F0} %)",
                Per(pg * rest / 100, stored), true));
        }
        return new CpuBudget(parts, machineCores, ceiling);
    }

    public string Markdown()
    {
        static string F(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        md.AppendLine("| CPU per event during sustained load (what bounds end to end) | µs | per |");
        md.AppendLine("|---|---:|---|");
        foreach (var p in Parts)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {p.Name} | {F(p.MicrosPerEvent, "F1")} | {(p.PerStored ? "stored" : "accepted")} event |");
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"| **one event in and stored** | **{F(MicrosPerEvent, "F1")}** | |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| the ceiling's insert alone (one backend, one core) | {F(1e6 / Ceiling, "F1")} | row |");
        md.AppendLine();
        var target = 0.6 * Ceiling;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"At these costs {Cores:F0} cores carry {F(RateBound, "N0")} events/s in and stored ({F(RateBound / Ceiling, "F2")} of the ceiling); "
            + $"0.6 of the ceiling ({F(target, "N0")}/s) would need {F(CoresFor(target), "F1")} cores, or {F(Cores * 1e6 / target, "F1")} µs an event.");
        return md.ToString();
    }

    private static string Short(string query) => (query.Length > 60 ? query[..60] + "…" : query).Replace("|", "\\|", StringComparison.Ordinal);
}
