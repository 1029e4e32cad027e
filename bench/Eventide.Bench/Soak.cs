using System.Globalization;
using Npgsql;

namespace Eventide.Bench;

/// <summary>
/// eventide-bench --soak-minutes N: a long run at half the measured maximum
/// end-to-end rate (or --rate), printing every --sample-seconds the RSS of each
/// pipeline process and the processor lag, then a verdict: RSS and lag are
/// flat when the last third of the run is not above the middle third by more
/// than a margin (RSS +10 % and +16 MiB; lag +50 % and +1 s, +5000 events).
/// The first third is warm-up (JIT, pools, caches) and not judged.
/// </summary>
public static class Soak
{
    private const double RssGrowth = 1.10;
    private const double RssSlackMiB = 16;

    public static async Task<int> RunAsync(Args a)
    {
        var ct = CancellationToken.None;
        await using var dataSource = NpgsqlDataSource.Create(a.ConnectionString);
        var db = new Database(dataSource);
        var samplers = a.Pids.Select(p => new ProcessSampler(p.Key, p.Value)).ToList();

        Progress.Say($"==> creating {a.Sites} sites");
        var sites = await SiteScale.CreateSitesAsync(dataSource, "soak", a.Sites, CancellationToken.None);
        var workload = new Workload(sites, duplicateShare: 0.10);
        using var http = LoadRunner.CreateClient(a.Connections + 4);
        var runner = new LoadRunner(a.Ingest, workload);

        double rate;
        if (a.Rate is { } given)
        {
            rate = given;
            Progress.Say($"==> soak at the given rate of {rate:F0} events/s");
        }
        else
        {
            // The maximum the pipeline sustains end to end (events committed to the events table
            // while ingestion runs flat out), not ingestion's own: on a small machine ingestion
            // accepts more than the processor stores, and a soak above that only grows a backlog.
            Progress.Say("==> measuring the maximum end-to-end rate (closed loop, batches of 100, 30 s)");
            var storedBefore = await db.StoredEventsAsync(ct);
            var measuring = DateTime.UtcNow;
            var max = runner.RunAsync("maximum", a.Connections, 100, TimeSpan.FromSeconds(35), null, ct);
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            var endToEnd = (await db.StoredEventsAsync(ct) - storedBefore) / (DateTime.UtcNow - measuring).TotalSeconds;
            var ingestion = await max;
            await DrainAsync(db);
            rate = endToEnd * 0.5;
            Progress.Say($"==> maximum end to end {endToEnd:F0} events/s (ingestion accepted {ingestion.EventsPerSecond:F0}/s); soak at 50 %: {rate:F0} events/s");
        }

        var duration = TimeSpan.FromMinutes(a.SoakMinutes);
        var samples = new List<Sample>();
        var load = runner.RunAsync("soak", a.Connections, 100, duration, rate, ct);
        var started = DateTime.UtcNow;
        Console.WriteLine($"{"t (s)",6} {string.Join(' ', samplers.Select(s => $"{s.Name + " RSS MiB",16}"))} {"lag events",11} {"lag s",7}");
        while (!load.IsCompleted)
        {
            await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(a.SampleSeconds), ct));
            var sample = new Sample(
                (DateTime.UtcNow - started).TotalSeconds,
                [.. samplers.Select(s => s.RssBytes() / 1048576.0)],
                await db.InboxEventsAsync(ct),
                await OldestAgeSecondsAsync(dataSource, ct));
            samples.Add(sample);
            Console.Error.WriteLine();
            Console.WriteLine($"{sample.Seconds,6:F0} {string.Join(' ', sample.RssMiB.Select(r => $"{r,16:F1}"))} {sample.LagEvents,11:N0} {sample.LagSeconds,7:F2}");
        }
        var result = await load;
        Console.WriteLine($"accepted {result.AcceptedEvents:N0} events in {result.Seconds:F0} s ({result.EventsPerSecond:F0}/s of {rate:F0}/s asked); " +
            "answers " + string.Join(", ", result.ByStatus.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}×{kv.Value}")));
        return Verdict(samplers.Select(s => s.Name).ToList(), samples) ? 0 : 1;
    }

    private static bool Verdict(List<string> names, List<Sample> samples)
    {
        if (samples.Count < 3)
        {
            Console.WriteLine("verdict: too few samples to judge (run longer or sample more often)");
            return false;
        }
        var third = samples.Count / 3;
        var middle = samples.Skip(third).Take(third).ToList();
        var last = samples.Skip(samples.Count - third).ToList();
        var flat = true;
        for (var i = 0; i < names.Count; i++)
        {
            var m = middle.Average(s => s.RssMiB[i]);
            var l = last.Average(s => s.RssMiB[i]);
            var ok = l <= m * RssGrowth + RssSlackMiB;
            flat &= ok;
            Console.WriteLine($"verdict: {names[i]} RSS {(ok ? "flat" : "GROWING")}: middle third {m:F1} MiB, last third {l:F1} MiB");
        }
        var mLag = middle.Average(s => s.LagSeconds);
        var lLag = last.Average(s => s.LagSeconds);
        var mEvents = middle.Average(s => s.LagEvents);
        var lEvents = last.Average(s => s.LagEvents);
        var lagOk = lLag <= mLag * 1.5 + 1 && lEvents <= mEvents * 1.5 + 5000;
        flat &= lagOk;
        Console.WriteLine($"verdict: lag {(lagOk ? "flat" : "GROWING")}: middle third {mEvents:F0} events / {mLag:F2} s, last third {lEvents:F0} events / {lLag:F2} s");
        Console.WriteLine(flat ? "verdict: PASS (RSS and lag stayed flat)" : "verdict: FAIL");
        return flat;
    }

    private static async Task<double> OldestAgeSecondsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT coalesce(extract(epoch FROM now() - min(received_at)), 0)::float8 FROM eventide.inbox");
        return Convert.ToDouble(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static async Task DrainAsync(Database db)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (await db.InboxEventsAsync(CancellationToken.None) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
    }

    private sealed record Sample(double Seconds, double[] RssMiB, long LagEvents, double LagSeconds);
}
