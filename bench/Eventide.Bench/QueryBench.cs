using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Eventide.Storage;
using Eventide.Storage.Processing;
using Npgsql;

namespace Eventide.Bench;

/// <summary>
/// `scripts/bench --only query`: loads a dataset of --query-events events (default 5 million)
/// over 30 days for one site straight in SQL (INSERT … SELECT generate_series), materializes
/// the aggregates and the property days as the processor would, then times
/// each analytics endpoint over the whole 30 days against the running query role: p50/p95
/// of sequential requests after one warm-up request (--query-repeats, default 20; a case
/// stops after 60 s once it has 3 samples).
/// </summary>
public static class QueryBench
{
    public const string Site = "bench-query";

    private const int MinRepeats = 3;

    private static readonly TimeSpan CaseBudget = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(Args a)
    {
        await using var dataSource = NpgsqlDataSource.Create(a.ConnectionString);
        var keys = await new SiteStore(dataSource).CreateAsync(Site, CancellationToken.None);
        var end = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var start = end.AddDays(-30);
        Progress.Say($"==> loading {a.QueryEvents:N0} events over 30 days in SQL");
        var load = Stopwatch.StartNew();
        await LoadAsync(dataSource, start, end, a.QueryEvents);
        Progress.Say($"    loaded in {load.Elapsed.TotalSeconds:0.0} s");
        var refresh = Stopwatch.StartNew();
        await new AggregateRefresher(dataSource).RefreshAllAsync(CancellationToken.None);
        Progress.Say($"    aggregates materialized in {refresh.Elapsed.TotalSeconds:0.0} s");
        // As the processor's property-day job does for closed days (the 30 days end at midnight).
        var propertyDays = Stopwatch.StartNew();
        await new PropertyDayMaterializer(dataSource).MaterializeAllAsync(CancellationToken.None);
        Progress.Say($"    property days materialized in {propertyDays.Elapsed.TotalSeconds:0.0} s");

        using var http = new HttpClient { BaseAddress = a.Query, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keys.ReadKey);
        var range = $"from={Uri.EscapeDataString(start.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(end.ToString("O", CultureInfo.InvariantCulture))}";
        var cases = new (string Name, string Url)[]
        {
            ("summary", $"/v1/sites/{Site}/summary?{range}"),
            ("summary + goal", $"/v1/sites/{Site}/summary?{range}&goal=purchase"),
            ("timeseries day", $"/v1/sites/{Site}/timeseries?interval=day&{range}"),
            ("breakdown path", $"/v1/sites/{Site}/breakdown?by=path&{range}"),
            ("stats (one day)", $"/stats?site_id={Site}&date={end.AddDays(-1):yyyy-MM-dd}"),
            ("breakdown property:country", $"/v1/sites/{Site}/breakdown?by=property:country&{range}"),
            ("breakdown country sum:revenue", $"/v1/sites/{Site}/breakdown?by=property:country&metric=sum:revenue&{range}"),
            ("timeseries day sum:revenue", $"/v1/sites/{Site}/timeseries?interval=day&metric=sum:revenue&{range}"),
            ("breakdown user", $"/v1/sites/{Site}/breakdown?by=user&{range}"),
        };
        var lines = new List<string>
        {
            $"# Query benchmark, {a.QueryEvents:N0} events over 30 days, one site, plain PostgreSQL",
            "",
            a.Machine,
            "",
            "| request (30 days) | samples | p50 ms | p95 ms | max ms |",
            "|---|---:|---:|---:|---:|",
        };
        foreach (var (name, url) in cases)
        {
            (await http.GetAsync(new Uri(url, UriKind.Relative))).EnsureSuccessStatusCode();
            var times = new List<double>();
            var budget = Stopwatch.StartNew();
            // A case that takes seconds per request stops after CaseBudget (with at least
            // MinRepeats samples), so one slow endpoint cannot stretch the run to an hour.
            for (var i = 0; i < a.QueryRepeats && (i < MinRepeats || budget.Elapsed < CaseBudget); i++)
            {
                var sw = Stopwatch.StartNew();
                using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            var line = $"| {name} | {times.Count} | {Percentiles.Of(times, 50):0.0} | {Percentiles.Of(times, 95):0.0} | {times[^1]:0.0} |";
            Progress.Say(line);
            lines.Add(line);
        }
        Directory.CreateDirectory(a.Out);
        var file = Path.Combine(a.Out, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-query.md");
        await File.WriteAllLinesAsync(file, lines);
        Progress.Say($"==> wrote {file}");
        return 0;
    }

    private static async Task LoadAsync(NpgsqlDataSource dataSource, DateTimeOffset start, DateTimeOffset end, int count)
    {
        await using (var ensure = dataSource.CreateCommand("SELECT eventide.ensure_events_partitions($1, $2)"))
        {
            ensure.Parameters.AddWithValue(DateOnly.FromDateTime(start.UtcDateTime));
            ensure.Parameters.AddWithValue(DateOnly.FromDateTime(end.UtcDateTime));
            await ensure.ExecuteNonQueryAsync();
        }
        // Deterministic from g: names with a pageview majority, Zipf-like paths and users
        // (squares skew towards small numbers), a country/device on most events, revenue on
        // purchases with one in ten not a number.
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO eventide.events (time, site_id, event_id, name, path, referrer, user_id, session_id, properties, received_at)
            SELECT t, $1, 'q' || g, n, '/p/' || ((g * 7919 % 1000) * (g * 7919 % 1000) / 5000), NULL, 'u' || ((g * 104729 % 3000) * (g * 104729 % 3000) / 300),
                   NULL, p, t
            FROM (
                SELECT g, $2::timestamptz + (g::float8 / $3 * extract(epoch FROM $4::timestamptz - $2::timestamptz)) * interval '1 second' AS t,
                       (ARRAY['pageview','pageview','pageview','pageview','pageview','pageview','click','click','signup','purchase'])[1 + g % 10] AS n,
                       jsonb_build_object('country', (ARRAY['DE','US','FR','GB','IN','BR'])[1 + g % 6], 'device', (ARRAY['desktop','mobile','tablet'])[1 + g % 3])
                         || CASE WHEN g % 10 <> 9 THEN '{}'::jsonb WHEN g % 100 = 9 THEN '{"revenue":"n/a"}'::jsonb
                                 ELSE jsonb_build_object('revenue', (g % 10000) / 100.0) END AS p
                FROM generate_series(0, $3::bigint - 1) g
            ) x
            """);
        cmd.CommandTimeout = 1800;
        cmd.Parameters.AddWithValue(Site);
        cmd.Parameters.AddWithValue(start);
        cmd.Parameters.AddWithValue(count);
        cmd.Parameters.AddWithValue(end);
        await cmd.ExecuteNonQueryAsync();
        // Written straight into the table: its hours are marked dirty as the processor's storing
        // transaction would mark them, before anything reads the aggregates.
        await using (var mark = dataSource.CreateCommand(
            "SELECT eventide.mark_aggregates_dirty(array_agg($1::text), array_agg(h)) FROM generate_series($2::timestamptz, $3::timestamptz, INTERVAL '1 hour') h"))
        {
            mark.Parameters.AddWithValue(Site);
            mark.Parameters.AddWithValue(start);
            mark.Parameters.AddWithValue(end);
            await mark.ExecuteNonQueryAsync();
        }
        await using var analyze = dataSource.CreateCommand("ANALYZE eventide.events");
        analyze.CommandTimeout = 600;
        await analyze.ExecuteNonQueryAsync();
    }
}
