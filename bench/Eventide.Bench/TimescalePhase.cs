using System.Globalization;
using System.Text;
using Npgsql;

namespace Eventide.Bench;

/// <summary>
/// The end-to-end target on TimescaleDB: the same server with the extension loaded, a second
/// database migrated in Timescale mode (events a hypertable with one-day chunks, the continuous
/// aggregates and their refresh policies), and an ingestion and a processor of its own the phase
/// starts against it. It measures that engine's ceiling (INSERT … SELECT into a scratch
/// hypertable) and what the pipeline stores end to end, as the plain phases do. The roles
/// scripts/bench started stay up and idle meanwhile; their CPU is not counted.
/// </summary>
public static class TimescalePhase
{
    public sealed record Result(string Version, EndToEnd EndToEnd, double IngestionRssMb, double ProcessorRssMb)
    {
        public double Ratio => EndToEnd.Ratio;
    }

    public static async Task<Result?> RunAsync(Args a, double e2eSeconds, CancellationToken ct)
    {
        if (a.TimescaleConnectionString is not { } cs)
        {
            Progress.Say("==> TimescaleDB phase skipped: no --timescale-pg (scripts/bench found no TimescaleDB for this server)");
            return null;
        }
        if (a.EventideDll is null)
        {
            throw new ArgumentException("the TimescaleDB phase needs --eventide-dll (scripts/bench passes it)");
        }
        await using var dataSource = NpgsqlDataSource.Create(cs);
        var db = new Database(dataSource);
        if (!await db.EventsIsHypertableAsync(ct))
        {
            throw new ArgumentException("--timescale-pg: events is not a hypertable there (migrate it with Eventide__Database__Timescale=Required)");
        }
        await using var version = dataSource.CreateCommand("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'");
        var extension = (string)(await version.ExecuteScalarAsync(ct))!;

        Progress.Phase($"TimescaleDB {extension}: starting its ingestion and processor");
        var environment = new Dictionary<string, string?>
        {
            ["Eventide__Database__ConnectionString"] = cs,
            ["Eventide__Database__Timescale"] = "Required",
            // The end-to-end phase's mark (EndToEnd): the clients pause once the inbox holds that many.
            ["Eventide__Ingestion__InboxHighWater"] = a.E2eHighWater.ToString(CultureInfo.InvariantCulture),
            ["Eventide__Ingestion__GrpcListen"] = $"http://127.0.0.1:{ProcessorFleet.FreePort().ToString(CultureInfo.InvariantCulture)}",
            ["Eventide__Cluster__Hostname"] = "127.0.0.1",
            ["Eventide__Cluster__Port"] = ProcessorFleet.FreePort().ToString(CultureInfo.InvariantCulture),
            // A cluster of its own: the processor seeds itself instead of joining the plain one.
            ["Eventide__Cluster__SeedNodes"] = null,
        };
        await using var ingestion = await RoleProcess.StartAsync(a.EventideDll, "ingestion", CpuBudget.Ingestion, environment, ct);
        await using var processor = await RoleProcess.StartAsync(a.EventideDll, "processor", CpuBudget.Processor, environment, ct);
        List<ProcessSampler> samplers = [ingestion.Sampler, processor.Sampler];
        using var sampling = new CancellationTokenSource();
        var samplerTask = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                samplers.ForEach(s => s.Sample());
                await Task.Delay(250, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            var sites = await SiteScale.CreateSitesAsync(dataSource, "bench", a.Sites, ct);
            var runner = new LoadRunner(ingestion.Url, new Workload(sites, duplicateShare: 0.10));
            var steady = new SteadyState(db, TimeSpan.FromSeconds(180), clear: !a.KeepData);
            Progress.Phase("TimescaleDB: warm-up");
            await runner.RunAsync("TimescaleDB warm-up", a.Connections, 100, TimeSpan.FromSeconds(5), null, ct);

            var e2e = await EndToEnd.MeasureAsync(db, steady, runner, samplers, a.Connections, e2eSeconds, Program.CeilingRows(a), "TimescaleDB", a.E2eHighWater, ct);
            Progress.Say(string.Create(CultureInfo.InvariantCulture,
                $"    TimescaleDB: ceiling {e2e.CeilingBefore:N0} / {e2e.CeilingAfter:N0} rows/s, end to end {e2e.StoredPerSecond:N0} events/s ({e2e.Ratio:F2})"));
            Progress.Phase("TimescaleDB: stopping its roles");
            return new Result(extension, e2e,
                Math.Max(ingestion.Sampler.PeakRssBytes, ingestion.Sampler.HighWaterBytes()) / 1048576.0,
                Math.Max(processor.Sampler.PeakRssBytes, processor.Sampler.HighWaterBytes()) / 1048576.0);
        }
        finally
        {
            await sampling.CancelAsync();
            await samplerTask;
        }
    }

    /// <summary>The report's TimescaleDB section; without a result, why it was not measured.</summary>
    public static string Markdown(Result? r)
    {
        static string F(double v, string format = "N0") => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        if (r is null)
        {
            md.AppendLine("TimescaleDB: not measured. scripts/bench found no TimescaleDB for this PostgreSQL server (no timescaledb.so in its library directory).");
            return md.ToString();
        }
        md.AppendLine(CultureInfo.InvariantCulture,
            $"TimescaleDB {r.Version} on the same server: a second database migrated in Timescale mode (events a hypertable with one-day chunks, continuous aggregates refreshed by their policies), with an ingestion and a processor of its own.");
        md.AppendLine();
        md.Append(r.EndToEnd.Markdown("TimescaleDB", "into a scratch hypertable", r.EndToEnd.Budget()));
        md.AppendLine(CultureInfo.InvariantCulture, $"Peak RSS of its roles: ingestion {F(r.IngestionRssMb)} MB, processor {F(r.ProcessorRssMb)} MB.");
        return md.ToString();
    }

    public static object? Json(Result? r) => r is null ? null : new
    {
        version = r.Version,
        ceiling_rows_per_s = new { before = r.EndToEnd.CeilingBefore, after = r.EndToEnd.CeilingAfter },
        end_to_end_events_per_s = r.EndToEnd.StoredPerSecond,
        ratio_end_to_end_to_ceiling = r.Ratio,
        accepted_events_per_s = r.EndToEnd.AcceptedPerSecond,
        inbox_at_end = r.EndToEnd.InboxAtEnd,
        inbox_high_water = r.EndToEnd.HighWaterJson(),
        cpu_cores = r.EndToEnd.Cores,
        top_statements = r.EndToEnd.TopStatements.Select(st => new { query = st.Query, calls = st.Calls, total_ms = st.TotalMs, mean_ms = st.MeanMs, rows = st.Rows, share_percent = st.SharePercent }).ToList(),
        micros_per_event = r.EndToEnd.Budget().MicrosPerEvent,
        rate_bound_events_per_s = r.EndToEnd.Budget().RateBound,
        peak_rss_mb = new { ingestion = r.IngestionRssMb, processor = r.ProcessorRssMb },
    };
}
