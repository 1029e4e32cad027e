using System.Diagnostics;
using System.Globalization;
using Eventide.Core;
using Npgsql;

namespace Eventide.Bench;

/// <summary>
/// The scale-of-sites phase: many sites (100,000 by default) with Zipf-skewed traffic, so
/// the processor holds a site entity for every site that sent something lately and must
/// passivate the idle ones to stay small. Reports the processor's RSS during the phase, the
/// site entities alive at their peak, at the end of the load and after an idle spell longer
/// than the passivation time, read from the processor's /metrics.
/// </summary>
public static class SiteScale
{
    /// <summary>What the processor's entity gauge is called on /metrics.</summary>
    private const string EntitiesMetric = "eventide_processor_cluster_entities";

    /// <summary>The Zipf exponent of the sites' traffic in this phase.</summary>
    public const double Exponent = 0.9;

    public const int Connections = 128;

    public sealed record Result(
        int Sites, double CreateSeconds, int BatchSize, double TargetRate, LoadResult Load, long SitesWithEvents,
        double PeakRssMb, double EntitiesPeak, double EntitiesAtLoadEnd, double EntitiesAfterIdle, double IdleSeconds, double PassivationSeconds, int MaxActiveSites);

    public static async Task<Result> RunAsync(Args a, NpgsqlDataSource dataSource, ProcessSampler? processor, double rate, TimeSpan duration, SteadyState steady, Func<Task> drain, CancellationToken ct)
    {
        Progress.Phase($"{a.ScaleSites:N0} sites: created in bulk");
        var created = Stopwatch.StartNew();
        var sites = await CreateSitesAsync(dataSource, "scale", a.ScaleSites, ct);
        var createSeconds = created.Elapsed.TotalSeconds;
        Progress.Say($"    {a.ScaleSites:N0} sites and write keys in {createSeconds:F1} s");

        // Small batches: each request is one site, so the share of sites that send something in
        // the phase grows with the number of requests. A flatter skew than the other phases'
        // (s = 1.1 sends most traffic to a few hundred sites) wakes tens of thousands of entities.
        const int batch = 10;
        var workload = new Workload(sites, duplicateShare: 0.10, siteExponent: Exponent);
        var runner = new LoadRunner(a.Ingest, workload);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var sampling = new CancellationTokenSource();
        double peakRss = 0, peakEntities = 0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakRss = Math.Max(peakRss, (processor?.RssBytes() ?? 0) / 1048576.0);
                var entities = await EntitiesAsync(http, a.Processor);
                peakEntities = double.IsNaN(entities) ? peakEntities : Math.Max(peakEntities, entities);
                try
                {
                    await Task.Delay(500, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None);

        await steady.BeginAsync($"{a.ScaleSites:N0} sites, Zipf traffic: {rate:F0} events/s in batches of {batch}", ct);
        // More connections than the other phases: at batches of 10 the open loop needs ten times
        // the requests per second, each waiting for its group commit.
        var load = await runner.RunAsync("site scale", Connections, batch, duration, rate, ct);
        await steady.EndAsync(ct);
        await drain();
        var atEnd = await EntitiesAsync(http, a.Processor);

        // An idle spell a little longer than the passivation time: every entity the load woke
        // should have passivated by its end.
        var passivation = a.SitePassivationSeconds;
        var idle = Stopwatch.StartNew();
        var afterIdle = atEnd;
        while (idle.Elapsed.TotalSeconds < passivation + 15)
        {
            afterIdle = await EntitiesAsync(http, a.Processor);
            Progress.Status($"idle for passivation: {idle.Elapsed.TotalSeconds:F0}/{passivation + 15:F0} s, {afterIdle:N0} site entities alive");
            if (afterIdle == 0 && idle.Elapsed.TotalSeconds > passivation)
            {
                break;
            }
            await Task.Delay(1000, ct);
        }
        Console.Error.WriteLine();
        await sampling.CancelAsync();
        await sampler;

        await using var count = dataSource.CreateCommand("SELECT count(DISTINCT site_id) FROM eventide.events WHERE site_id LIKE 'scale-%'");
        var withEvents = (long)(await count.ExecuteScalarAsync(ct))!;
        return new Result(a.ScaleSites, createSeconds, batch, rate, load, withEvents, peakRss, peakEntities, atEnd, afterIdle, idle.Elapsed.TotalSeconds, passivation, a.MaxActiveSites);
    }

    /// <summary>
    /// Sites <paramref name="prefix"/>-000000 … and one write key each, in a few multi-row
    /// statements: one HTTP call or transaction per site would take minutes for 100,000.
    /// </summary>
    public static async Task<(string Site, string Key)[]> CreateSitesAsync(NpgsqlDataSource dataSource, string prefix, int count, CancellationToken ct)
    {
        var sites = new (string Site, string Key)[count];
        for (var i = 0; i < count; i++)
        {
            sites[i] = ($"{prefix}-{i.ToString("D6", CultureInfo.InvariantCulture)}", ApiKey.Generate(ApiKeyKind.Write));
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var chunk in sites.Chunk(20_000))
        {
            var ids = chunk.Select(s => s.Site).ToArray();
            await using (var cmd = new NpgsqlCommand("INSERT INTO eventide.sites (site_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", conn, tx))
            {
                cmd.Parameters.AddWithValue(ids);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await using (var cmd = new NpgsqlCommand("""
                INSERT INTO eventide.api_keys (site_id, kind, key_hash, key_prefix)
                SELECT site, 'write', hash, prefix FROM unnest($1::text[], $2::bytea[], $3::text[]) AS k(site, hash, prefix)
                """, conn, tx))
            {
                cmd.Parameters.AddWithValue(ids);
                cmd.Parameters.AddWithValue(chunk.Select(s => ApiKey.Hash(s.Key)).ToArray());
                cmd.Parameters.AddWithValue(chunk.Select(s => ApiKey.DisplayPrefix(s.Key)).ToArray());
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
        await tx.CommitAsync(ct);
        return sites;
    }

    /// <summary>The processor's site entity gauge, summed over its samples; NaN when /metrics does not answer.</summary>
    public static async Task<double> EntitiesAsync(HttpClient http, Uri processor)
    {
        try
        {
            var text = await http.GetStringAsync(new Uri(processor, "/metrics"));
            return text.Split('\n')
                .Where(l => l.StartsWith(EntitiesMetric + " ", StringComparison.Ordinal) || l.StartsWith(EntitiesMetric + "{", StringComparison.Ordinal))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException)
        {
            return double.NaN;
        }
    }
}
