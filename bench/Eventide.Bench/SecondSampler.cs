using System.Globalization;
using System.Text;
using Npgsql;

namespace Eventide.Bench;

/// <summary>
/// What the machine and the database did in each second of a load phase, beside the
/// acknowledgements that came back slower than <see cref="LoadResult.SlowMs"/> in it: the
/// profile of an acknowledgement tail. Each second it reads the CPU busy (from /proc/stat), the
/// threads running or runnable (the fourth field of /proc/loadavg), the kilobytes written to
/// block devices (pgpgout in /proc/vmstat: the kernel's writeback and PostgreSQL's WAL
/// flushes), the buffers the checkpointer wrote (pg_stat_bgwriter) and the tables autovacuum
/// was vacuuming or analyzing at that moment (pg_stat_progress_vacuum and _analyze).
/// </summary>
public sealed class SecondSampler(NpgsqlDataSource dataSource)
{
    /// <summary>One second of the phase; <see cref="Second"/> counts from the phase's start.</summary>
    public sealed record Sample(int Second, double BusyCores, int Runnable, double WrittenMb, long CheckpointBuffers, string Autovacuum);

    /// <summary>Samples once a second until cancelled; returns the seconds sampled.</summary>
    public async Task<List<Sample>> RunAsync(CancellationToken ct)
    {
        var samples = new List<Sample>();
        var (busy, total) = Cpu();
        var written = PagedOutKb();
        var (checkpoint, _) = await DatabaseAsync(CancellationToken.None);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            for (var second = 0; await timer.WaitForNextTickAsync(ct); second++)
            {
                var (busyNow, totalNow) = Cpu();
                var writtenNow = PagedOutKb();
                var (checkpointNow, autovacuum) = await DatabaseAsync(ct);
                var cores = totalNow > total ? (busyNow - busy) / (double)(totalNow - total) * Environment.ProcessorCount : double.NaN;
                samples.Add(new Sample(second, cores, Runnable(), (writtenNow - written) / 1024.0, checkpointNow - checkpoint, autovacuum));
                (busy, total, written, checkpoint) = (busyNow, totalNow, writtenNow, checkpointNow);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return samples;
    }

    /// <summary>
    /// The seconds with the most slow acknowledgements, what ran in them, and how many of the
    /// slow ones fell in a second with autovacuum at work or more than 100 MB written.
    /// </summary>
    public static string Markdown(string phase, LoadResult load, IReadOnlyList<Sample> samples, int worst = 6)
    {
        var slow = load.SlowBySecond;
        var total = slow.Values.Sum();
        var bySecond = samples.ToDictionary(s => s.Second);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {phase}: the seconds with the most acknowledgements over {LoadResult.SlowMs:F0} ms | acks over {LoadResult.SlowMs:F0} ms | cores busy | threads runnable | MB written | checkpoint buffers | autovacuum at work |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (second, count) in slow.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(worst))
        {
            // A second's slow acknowledgements were due in it; what held them up ran then or just after.
            var s = bySecond.GetValueOrDefault(second);
            var line = s is null
                ? string.Create(CultureInfo.InvariantCulture, $"| {second} | {count} | | | | | |")
                : string.Create(CultureInfo.InvariantCulture,
                    $"| {second} | {count} | {s.BusyCores:F2} | {s.Runnable} | {s.WrittenMb:F0} | {s.CheckpointBuffers:N0} | {(s.Autovacuum.Length > 0 ? s.Autovacuum : "—")} |");
            md.AppendLine(line);
        }
        var withAutovacuum = slow.Where(kv => Near(kv.Key, bySecond, x => x.Autovacuum.Length > 0)).Sum(kv => kv.Value);
        var withWriteback = slow.Where(kv => Near(kv.Key, bySecond, x => x.WrittenMb > 100)).Sum(kv => kv.Value);
        var seconds = samples.Count;
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{total:N0} of {load.LatenciesMs.Count:N0} acknowledgements took over {LoadResult.SlowMs:F0} ms; {withAutovacuum:N0} of them were due in or one second before a second with autovacuum at work "
            + $"({samples.Count(x => x.Autovacuum.Length > 0)} of {seconds} seconds), {withWriteback:N0} in or one second before a second with over 100 MB written to disk ({samples.Count(x => x.WrittenMb > 100)} of {seconds} seconds).");
        return md.ToString();
    }

    private static bool Near(int second, Dictionary<int, Sample> bySecond, Func<Sample, bool> test) =>
        (bySecond.TryGetValue(second, out var s) && test(s)) || (bySecond.TryGetValue(second + 1, out var next) && test(next));

    private static (long Busy, long Total) Cpu()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        var total = fields.Sum();
        return (total - idle, total);
    }

    private static int Runnable() =>
        int.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[3].Split('/')[0], CultureInfo.InvariantCulture);

    private static long PagedOutKb() =>
        File.ReadLines("/proc/vmstat").Select(l => l.Split(' ')).Where(f => f[0] == "pgpgout").Select(f => long.Parse(f[1], CultureInfo.InvariantCulture)).FirstOrDefault();

    /// <summary>The buffers the checkpointer has written so far, and what autovacuum is vacuuming or analyzing now: one round trip.</summary>
    private async Task<(long CheckpointBuffers, string Autovacuum)> DatabaseAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT (SELECT buffers_checkpoint FROM pg_stat_bgwriter),
                   (SELECT coalesce(string_agg(w || ' ' || coalesce(c.relname, '?'), ', ' ORDER BY w, c.relname), '')
                    FROM (SELECT 'vacuum' AS w, relid FROM pg_stat_progress_vacuum
                          UNION ALL SELECT 'analyze', relid FROM pg_stat_progress_analyze) p
                    LEFT JOIN pg_class c ON c.oid = p.relid)
            """);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetString(1));
    }
}
