using System.Globalization;
using System.Text;

namespace Eventide.Bench;

public sealed record Report(Dictionary<string, object> Json, string Markdown)
{
    public static Report Build(
        Args a, List<WrkComparison.Row> batchOne, Dictionary<int, LoadResult> saturation, EndToEnd e2e, TimescalePhase.Result? timescale,
        double halfTarget, LoadResult half, FreshnessProbe probe, double naive, List<ProcessSampler> processes,
        PhaseProfile profile)
    {
        var endToEnd = e2e.StoredPerSecond;
        static string F(double v, string format = "N0") => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
        var p = (List<double> s, double q) => Percentiles.Of(s, q);
        var ceiling = e2e.Ceiling;
        var ratioCeiling = e2e.Ratio;
        var ratioNaive = endToEnd / naive;
        var halfP99 = p(half.LatenciesMs, 99);
        var freshP95 = p(probe.TableMs, 95);
        var freshAggP95 = p(probe.AggregateMs, 95);
        var maxRssMb = processes.Count == 0 ? double.NaN : processes.Max(s => Math.Max(s.PeakRssBytes, s.HighWaterBytes())) / 1048576.0;

        var targets = new List<(string Name, string Goal, string Measured, bool Met)>
        {
            ("end-to-end ÷ ceiling", "≥ 0.6", F(ratioCeiling, "F2"), ratioCeiling >= 0.6),
            ("end-to-end ÷ ceiling on TimescaleDB", "≥ 0.6", timescale is null ? "not measured" : F(timescale.Ratio, "F2"), timescale?.Ratio >= 0.6),
            ("end-to-end ÷ naive", "≥ 20", F(ratioNaive, "F1"), ratioNaive >= 20),
            ("ack p99 at 50 % load", "≤ 25 ms", F(halfP99, "F1") + " ms", halfP99 <= 25),
            ("freshness p95 at 50 % load (events table)", "≤ 1000 ms", F(freshP95, "F0") + " ms", freshP95 <= 1000),
            ("freshness p95 at 50 % load (per-minute aggregate)", "≤ 1000 ms", F(freshAggP95, "F0") + " ms", freshAggP95 <= 1000),
            ("peak RSS of every process", "≤ 300 MB", F(maxRssMb, "F0") + " MB", maxRssMb <= 300),
        };
        if (batchOne.FirstOrDefault(r => r.Connections == 256) is { } wide)
        {
            targets.Insert(0, ("batch 1 at 256 connections: events/s, ack p99", "≥ 25,000/s, ≤ 30 ms",
                $"{F(wide.BenchEventsPerSecond)}/s, {F(wide.BenchP99Ms, "F1")} ms", wide.BenchEventsPerSecond >= 25_000 && wide.BenchP99Ms <= 30));
        }
        foreach (var r in batchOne.Where(r => !double.IsNaN(r.Ratio)))
        {
            targets.Insert(0, ($"bench ÷ wrk at batch 1, {r.Connections} connections", "0.9–1.1", F(r.Ratio, "F2"), r.Ratio is >= 0.9 and <= 1.1));
        }

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {a.Machine}. Roles as separate processes (ingestion, processor, query) on one local PostgreSQL; {a.Sites} sites, Zipf-skewed, 10 % duplicate event ids, {a.Connections} keep-alive connections.");
        md.AppendLine();
        md.AppendLine("| ingestion at saturation | events/s | requests/s | ack p50 | ack p95 | ack p99 | non-202 |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in batchOne)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| batch 1, {r.Connections} connections | {F(r.BenchEventsPerSecond)} | {F(r.BenchEventsPerSecond)} | {F(r.BenchP50Ms, "F1")} ms | {F(r.BenchP95Ms, "F1")} ms | {F(r.BenchP99Ms, "F1")} ms | {r.BenchFailures} |");
        }
        foreach (var (batch, r) in saturation.OrderBy(kv => kv.Key))
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| batch {batch} | {F(r.EventsPerSecond)} | {F(r.RequestsPerSecond)} | {F(p(r.LatenciesMs, 50), "F1")} ms | {F(p(r.LatenciesMs, 95), "F1")} ms | {F(p(r.LatenciesMs, 99), "F1")} ms | {r.Failures} |");
        }
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| 50 % of the sustained end-to-end rate (batch 100, target {F(halfTarget)}/s) | {F(half.EventsPerSecond)} | {F(half.RequestsPerSecond)} | {F(p(half.LatenciesMs, 50), "F1")} ms | {F(p(half.LatenciesMs, 95), "F1")} ms | {F(halfP99, "F1")} ms | {half.Failures} |");
        md.AppendLine();
        md.AppendLine("| end to end and baselines | value |");
        md.AppendLine("|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| end-to-end events/s stored ({e2e.Describe()}) | {F(endToEnd)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| ceiling: server-side INSERT … SELECT rows/s, just before / just after end to end (the ratio uses their mean) | {F(e2e.CeilingBefore)} / {F(e2e.CeilingAfter)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| peak RSS of the end-to-end phase's own ingestion | {F(e2e.IngestionRssMb)} MB |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| naive: one INSERT per event, one connection, rows/s | {F(naive)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| freshness ack → events table p50 / p95 ({probe.TableMs.Count} probes, {probe.Lost} not seen in 10 s) | {F(p(probe.TableMs, 50))} ms / {F(freshP95)} ms |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| freshness ack → per-minute aggregate p50 / p95 | {F(p(probe.AggregateMs, 50))} ms / {F(p(probe.AggregateMs, 95))} ms |");
        md.AppendLine();
        md.AppendLine("| process | peak RSS | average CPU (cores) |");
        md.AppendLine("|---|---:|---:|");
        foreach (var s in processes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Name} | {Math.Max(s.PeakRssBytes, s.HighWaterBytes()) / 1048576.0:F0} MB | {s.AverageCores():F2} |");
        }
        md.AppendLine();
        md.AppendLine("| CPU by phase (cores of 2) | sustained end to end | 50 % load |");
        md.AppendLine("|---|---:|---:|");
        foreach (var name in e2e.Cores.Keys)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {e2e.Cores[name]:F2} | {profile.HalfLoadCores.GetValueOrDefault(name):F2} |");
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"| all | {e2e.Cores.Values.Sum():F2} | {profile.HalfLoadCores.Values.Sum():F2} |");
        Statements("database time during sustained load (pg_stat_statements)", e2e.TopStatements);
        Statements("database time during the 50 % load (pg_stat_statements)", profile.HalfLoadStatements);
        var budget = e2e.Budget();
        md.AppendLine();
        md.Append(budget.Markdown());
        if (profile.HalfLoadSeconds is { } seconds)
        {
            md.AppendLine();
            md.Append(SecondSampler.Markdown("50 % load", half, seconds));
        }
        md.AppendLine();
        md.Append(TimescalePhase.Markdown(timescale));
        md.AppendLine();
        md.AppendLine("| target | goal | measured | met |");
        md.AppendLine("|---|---|---:|---|");
        foreach (var t in targets)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {t.Name} | {t.Goal} | {t.Measured} | {(t.Met ? "yes" : "**no**")} |");
        }

        var json = new Dictionary<string, object>
        {
            ["machine"] = a.Machine,
            ["quick"] = a.Quick,
            ["saturation"] = saturation.ToDictionary(kv => $"batch_{kv.Key}", kv => (object)Summary(kv.Value)),
            ["batch_1"] = batchOne,
            ["half_load"] = Summary(half),
            ["half_load_target_events_per_s"] = halfTarget,
            ["end_to_end_events_per_s"] = endToEnd,
            ["inbox_at_end_of_sustained_load"] = e2e.InboxAtEnd,
            ["inbox_high_water_of_sustained_load"] = e2e.HighWaterJson(),
            ["ceiling_rows_per_s"] = ceiling,
            ["ceiling_rows_per_s_before_and_after"] = new { before = e2e.CeilingBefore, after = e2e.CeilingAfter },
            ["naive_rows_per_s"] = naive,
            ["ratio_end_to_end_to_ceiling"] = ratioCeiling,
            ["ratio_end_to_end_to_naive"] = ratioNaive,
            ["timescale"] = TimescalePhase.Json(timescale) ?? "not measured",
            ["freshness_table_ms"] = new { p50 = p(probe.TableMs, 50), p95 = freshP95, probes = probe.TableMs.Count, lost = probe.Lost },
            ["freshness_aggregate_ms"] = new { p50 = p(probe.AggregateMs, 50), p95 = p(probe.AggregateMs, 95) },
            ["processes"] = processes.Select(s => new { name = s.Name, peak_rss_mb = Math.Max(s.PeakRssBytes, s.HighWaterBytes()) / 1048576.0, cpu_cores = s.AverageCores() }).ToList(),
            ["cpu_cores_end_to_end"] = e2e.Cores,
            ["cpu_cores_half_load"] = profile.HalfLoadCores,
            ["top_statements_end_to_end"] = e2e.TopStatements.Select(st => new { query = st.Query, calls = st.Calls, total_ms = st.TotalMs, mean_ms = st.MeanMs, rows = st.Rows, share_percent = st.SharePercent }).ToList(),
            ["top_statements_half_load"] = profile.HalfLoadStatements.Select(st => new { query = st.Query, calls = st.Calls, total_ms = st.TotalMs, mean_ms = st.MeanMs, rows = st.Rows, share_percent = st.SharePercent }).ToList(),
            ["cpu_budget_end_to_end"] = new
            {
                parts = budget.Parts.Select(b => new { name = b.Name, micros_per_event = b.MicrosPerEvent, per = b.PerStored ? "stored" : "accepted" }).ToList(),
                micros_per_event = budget.MicrosPerEvent,
                rate_bound_events_per_s = budget.RateBound,
                cores_for_0_6_of_ceiling = budget.CoresFor(0.6 * ceiling),
            },
            ["half_load_seconds"] = (profile.HalfLoadSeconds ?? []).Select(x => new
            {
                second = x.Second,
                slow_acks = half.SlowBySecond.GetValueOrDefault(x.Second),
                busy_cores = x.BusyCores,
                runnable = x.Runnable,
                written_mb = x.WrittenMb,
                checkpoint_buffers = x.CheckpointBuffers,
                autovacuum = x.Autovacuum,
            }).ToList(),
            ["targets"] = targets.Select(t => new { name = t.Name, goal = t.Goal, measured = t.Measured, met = t.Met }).ToList(),
        };
        return new Report(json, md.ToString());

        void Statements(string title, List<StatementStats> statements)
        {
            if (statements.Count == 0)
            {
                return;
            }
            md.AppendLine();
            StatementStats.AppendTable(md, title, statements);
        }

        object Summary(LoadResult r) => new
        {
            events_per_s = r.EventsPerSecond,
            requests_per_s = r.RequestsPerSecond,
            ack_ms = new { p50 = p(r.LatenciesMs, 50), p95 = p(r.LatenciesMs, 95), p99 = p(r.LatenciesMs, 99) },
            failures = r.Failures,
            statuses = r.ByStatus.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
        };
    }
}

/// <summary>Where the time went in the 50 % load phase: CPU per process, the costliest statements and its slowest seconds.</summary>
public sealed record PhaseProfile(Dictionary<string, double> HalfLoadCores, List<StatementStats> HalfLoadStatements,
    List<SecondSampler.Sample>? HalfLoadSeconds = null);
