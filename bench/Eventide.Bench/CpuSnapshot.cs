namespace Eventide.Bench;

/// <summary>
/// CPU seconds used so far by each role process, by all PostgreSQL processes
/// together and by the load generator itself; two snapshots give the cores
/// each used during a phase, which shows where a 2-core machine's time went.
/// </summary>
public sealed class CpuSnapshot
{
    private readonly Dictionary<string, double> _seconds;
    private readonly DateTime _at;

    private CpuSnapshot(Dictionary<string, double> seconds, DateTime at)
    {
        _seconds = seconds;
        _at = at;
    }

    public static CpuSnapshot Take(IEnumerable<ProcessSampler> roles)
    {
        var seconds = roles.ToDictionary(s => s.Name, s => s.CpuSeconds());
        seconds["postgres (all backends)"] = PostgresCpuSeconds();
        seconds["load generator"] = Environment.CpuUsage.TotalTime.TotalSeconds;
        return new CpuSnapshot(seconds, DateTime.UtcNow);
    }

    /// <summary>Cores each used between <paramref name="earlier"/> and this snapshot.</summary>
    public Dictionary<string, double> CoresSince(CpuSnapshot earlier)
    {
        var wall = (_at - earlier._at).TotalSeconds;
        return _seconds.ToDictionary(kv => kv.Key, kv => Math.Max(0, kv.Value - earlier._seconds.GetValueOrDefault(kv.Key)) / wall);
    }

    /// <summary>
    /// utime + stime of every live process named postgres (backends the pool
    /// keeps open, the WAL writer, the checkpointer). A backend that exits
    /// within the phase takes its time with it, so this is a lower bound.
    /// </summary>
    private static double PostgresCpuSeconds()
    {
        double seconds = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                if (stat[(open + 1)..stat.LastIndexOf(')')] == "postgres")
                {
                    seconds += ProcessSampler.CpuSecondsOf(stat);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // the process exited while we looked
            }
        }
        return seconds;
    }
}
