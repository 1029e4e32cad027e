using System.Globalization;

namespace Eventide.Bench;

/// <summary>
/// The horizontal curve: the end-to-end rate with 1, 2 and 3 processor members of one Akka
/// cluster against the one database. Each point waits for the shards to be spread over the
/// members, then offers full-speed batches of 100 and counts what the events table gains,
/// with the CPU each kind of process used, which shows whether the members or the database
/// bound the point.
/// </summary>
public static class Horizontal
{
    public sealed record Point(int Processors, string ShardsByMember, double EventsPerSecond, double OfferedPerSecond, long InboxAtEnd,
        double ProcessorsCores, double PostgresCores, double IngestionCores, double GeneratorCores, double ProcessorsRssMb);

    public static async Task<List<Point>> RunAsync(Args a, Database db, LoadRunner runner, List<ProcessSampler> samplers, SteadyState steady,
        TimeSpan duration, CancellationToken ct)
    {
        if (a.EventideDll is null || a.ClusterSeed is null)
        {
            throw new ArgumentException("the horizontal phase needs --eventide-dll and --cluster-seed (scripts/bench passes them)");
        }
        var points = new List<Point>();
        await using var fleet = new ProcessorFleet(a.EventideDll, a.ClusterSeed, a.Processor, a.AdminToken);
        for (var n = 1; n <= a.MaxProcessors; n++)
        {
            if (n > 1)
            {
                Progress.Phase($"horizontal: starting processor {n}");
                await fleet.AddAsync(ct);
            }
            var balanced = await fleet.AwaitBalancedAsync(n, TimeSpan.FromSeconds(120), ct);
            var shards = balanced is null ? "not balanced in 120 s" : string.Join(" / ", balanced.Values.Order());
            await steady.BeginAsync($"horizontal: {n} processor(s), shards {shards}", ct, inboxOnly: true);
            var all = samplers.Concat(fleet.Samplers).ToList();
            var cpuStart = CpuSnapshot.Take(all);
            var before = await db.StoredEventsAsync(ct);
            var started = DateTime.UtcNow;
            var load = runner.RunAsync($"horizontal, {n} processor(s)", a.Connections, 100, duration + TimeSpan.FromSeconds(3), null, ct);
            await Task.Delay(duration, ct);
            var stored = await db.StoredEventsAsync(ct) - before;
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            var cores = CpuSnapshot.Take(all).CoresSince(cpuStart);
            var inbox = await db.InboxEventsAsync(ct);
            var offered = await load;
            await steady.EndAsync(ct);
            var processors = cores.Where(kv => kv.Key.StartsWith("processor", StringComparison.Ordinal)).Sum(kv => kv.Value);
            var rss = all.Where(s => s.Name.StartsWith("processor", StringComparison.Ordinal)).Max(s => s.RssBytes()) / 1048576.0;
            points.Add(new Point(n, shards, stored / seconds, offered.EventsPerSecond, inbox, processors,
                cores.GetValueOrDefault(CpuSnapshot.Postgres), cores.GetValueOrDefault("ingestion"), cores.GetValueOrDefault(CpuSnapshot.Generator), rss));
            Progress.Say(string.Create(CultureInfo.InvariantCulture, $"    {n} processor(s): {stored / seconds:N0} events/s stored, processors {processors:F2} cores, postgres {cores.GetValueOrDefault(CpuSnapshot.Postgres):F2}"));
        }
        Progress.Phase("horizontal: stopping the added processors");
        return points;
    }
}
