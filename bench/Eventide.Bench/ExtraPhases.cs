using System.Globalization;
using System.Text;

namespace Eventide.Bench;

/// <summary>
/// The tables of the phases past the core ones: batch 1 against wrk, the scale of sites, the
/// horizontal curve, and every phase's start and load average.
/// </summary>
public static class ExtraPhases
{
    public static Report Build(Args a, List<WrkComparison.Row> batchOne, SiteScale.Result? scale, List<Horizontal.Point> horizontal)
    {
        var md = new StringBuilder();
        var json = new Dictionary<string, object>();
        if (batchOne.Count > 0)
        {
            md.AppendLine("Batch 1, closed loop, from the bench's generator and from wrk in turn (bench ÷ wrk within 0.9–1.1: the generator is not the bound):");
            md.AppendLine();
            md.Append(WrkComparison.Markdown(batchOne));
            md.AppendLine();
        }
        if (scale is { } s)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Scale of sites: {s.Sites:N0} sites (created with their write keys in {s.CreateSeconds:F1} s), Zipf-skewed (s = {SiteScale.Exponent}), batches of {s.BatchSize} on {SiteScale.Connections} connections, open loop at {s.TargetRate:N0} events/s; site entities passivate after {s.PassivationSeconds} s idle{(s.MaxActiveSites > 0 ? $", or beyond {s.MaxActiveSites:N0} alive, least recently active first" : "")}:");
            md.AppendLine();
            md.AppendLine("| scale of sites | value |");
            md.AppendLine("|---|---:|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| accepted events/s (ack p50 / p99) | {s.Load.EventsPerSecond:N0} ({Percentiles.Of(s.Load.LatenciesMs, 50):F1} / {Percentiles.Of(s.Load.LatenciesMs, 99):F1} ms, non-202 {s.Load.Failures:N0}{NotAccepted(s.Load)}) |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| sites that sent events | {s.SitesWithEvents:N0} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| processor peak RSS during the phase | {s.PeakRssMb:F0} MB |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| site entities alive: peak / when the inbox was drained / after {s.IdleSeconds:F0} s idle | {s.EntitiesPeak:N0} / {s.EntitiesAtLoadEnd:N0} / {s.EntitiesAfterIdle:N0} |");
            md.AppendLine();
            md.AppendLine("| target | goal | measured | met |");
            md.AppendLine("|---|---|---:|---|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| processor RSS with {s.Sites:N0} sites | ≤ 300 MB | {s.PeakRssMb:F0} MB | {(s.PeakRssMb <= 300 ? "yes" : "**no**")} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| site entities passivated when idle | 0 left | {s.EntitiesAfterIdle:N0} | {(s.EntitiesAfterIdle == 0 ? "yes" : "**no**")} |");
            md.AppendLine();
            json["site_scale"] = new
            {
                sites = s.Sites,
                create_seconds = s.CreateSeconds,
                batch = s.BatchSize,
                target_events_per_s = s.TargetRate,
                events_per_s = s.Load.EventsPerSecond,
                ack_ms = new { p50 = Percentiles.Of(s.Load.LatenciesMs, 50), p99 = Percentiles.Of(s.Load.LatenciesMs, 99) },
                failures = s.Load.Failures,
                sites_with_events = s.SitesWithEvents,
                processor_peak_rss_mb = s.PeakRssMb,
                entities_peak = s.EntitiesPeak,
                entities_at_load_end = s.EntitiesAtLoadEnd,
                entities_after_idle = s.EntitiesAfterIdle,
                idle_seconds = s.IdleSeconds,
                passivation_seconds = s.PassivationSeconds,
                max_active_sites = s.MaxActiveSites,
                statuses = s.Load.ByStatus.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
            };
        }
        if (horizontal.Count > 0)
        {
            md.AppendLine("Horizontal: processors of one Akka cluster on this machine against the one database, full-speed batches of 100 on the same connections:");
            md.AppendLine();
            md.AppendLine("| processors | shards by member | stored events/s | offered events/s | inbox at end | CPU: processors / postgres / ingestion / generator | largest processor RSS |");
            md.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
            foreach (var p in horizontal)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {p.Processors} | {p.ShardsByMember} | {p.EventsPerSecond:N0} | {p.OfferedPerSecond:N0} | {p.InboxAtEnd:N0} | {p.ProcessorsCores:F2} / {p.PostgresCores:F2} / {p.IngestionCores:F2} / {p.GeneratorCores:F2} | {p.ProcessorsRssMb:F0} MB |");
            }
            md.AppendLine();
            json["horizontal"] = horizontal;
        }
        return new Report(json, md.ToString());
    }

    /// <summary>
    /// When each phase began and the load average then, and the run's total time; for the phases
    /// that start from a drained steady state, how long they waited for it and the inbox at their
    /// start and end (a small end figure says the processor kept up with the phase).
    /// </summary>
    public static string PhaseTable(IReadOnlyList<PhaseMark> phases, double totalSeconds)
    {
        var md = new StringBuilder();
        md.AppendLine("Phases that measure latency, the saturation, end-to-end and ceiling phases start once the inbox is empty, the aggregate refresher has no dirty hours left and no other statement has run for over 200 ms (the horizontal points once the inbox is empty); the waited column is that wait, the inbox columns the events waiting at the phase's start and end. Unless the run was given --keep-data, each of them first empties the pipeline tables (inbox, events, dedupe record, dirty marks, materialized aggregates): the cleared column is the backlog the phase before left and the bench discarded instead of waiting for it, and the wait includes the truncation.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| phase (run took {totalSeconds / 60:F1} min after the build) | started at | load average | cleared: inbox events / dirty hours | waited for steady state | inbox at start / end | processor RSS high-water at start |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var m in phases)
        {
            var cleared = m.Start?.Cleared is { } c ? string.Create(CultureInfo.InvariantCulture, $"{c.InboxEvents:N0} / {c.DirtyHours:N0}") : "";
            var waited = m.Start is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s.WaitedSeconds:F1} s{(s.Steady ? "" : $" (**not steady**: {s.DirtyHours:N0} dirty hours)")}") : "";
            var inbox = m.Start is { } st ? string.Create(CultureInfo.InvariantCulture, $"{st.InboxEvents:N0} / {(m.InboxAtEnd is { } e ? e.ToString("N0", CultureInfo.InvariantCulture) : "—")}") : "";
            var highWater = m.ProcessorHighWaterMb is { } h ? string.Create(CultureInfo.InvariantCulture, $"{h:F0} MB") : "";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Title} | {(int)(m.StartSeconds / 60)}:{(int)(m.StartSeconds % 60):D2} | {m.LoadAverage:F1} | {cleared} | {waited} | {inbox} | {highWater} |");
        }
        return md.ToString();
    }

    /// <summary>What the answers that were not 202 were, as ": 503 × 24", or nothing.</summary>
    private static string NotAccepted(LoadResult r)
    {
        var other = r.ByStatus.Where(kv => kv.Key != 202).OrderBy(kv => kv.Key).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} × {kv.Value:N0}")).ToList();
        return other.Count == 0 ? "" : ": " + string.Join(", ", other);
    }
}
