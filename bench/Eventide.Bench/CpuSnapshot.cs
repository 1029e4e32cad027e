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

    /// <summary>The snapshot's name for all of the bench's PostgreSQL processes together.</summary>
    public const string Postgres = "postgres (all backends)";

    /// <summary>The snapshot's name for the load generator (this process).</summary>
    public const string Generator = "load generator";

    public static CpuSnapshot Take(IEnumerable<ProcessSampler> roles)
    {
        var seconds = roles.ToDictionary(s => s.Name, s => s.CpuSeconds());
        seconds[Postgres] = PostgresCpuSeconds();
        seconds[Generator] = Environment.CpuUsage.TotalTime.TotalSeconds;
        return new CpuSnapshot(seconds, DateTime.UtcNow);
    }

    /// <summary>Cores each used between <paramref name="earlier"/> and this snapshot.</summary>
    public Dictionary<string, double> CoresSince(CpuSnapshot earlier)
    {
        var wall = (_at - earlier._at).TotalSeconds;
        return _seconds.ToDictionary(kv => kv.Key, kv => Math.Max(0, kv.Value - earlier._seconds.GetValueOrDefault(kv.Key)) / wall);
    }

    /// <summary>
    /// The bench's own postmaster; its children are the backends counted. On a shared machine
    /// other PostgreSQL servers run too, and counting every process named postgres made the
    /// database's share of the CPU meaningless (and negative when their backends exited).
    /// </summary>
    public static int? PostmasterPid { get; set; }

    /// <summary>The parent of the process serving <paramref name="backendPid"/>: its postmaster.</summary>
    public static int? ParentOf(int backendPid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{backendPid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// utime + stime of the postmaster and its children (the backends the pools keep open, the
    /// WAL writer, the checkpointer) plus the time of the children it has reaped, or of every
    /// live process named postgres when the postmaster is not known (then a backend that exits
    /// within the phase takes its time with it, and the figure is a lower bound).
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
                var pid = int.Parse(Path.GetFileName(dir), System.Globalization.CultureInfo.InvariantCulture);
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                var ours = PostmasterPid is not { } postmaster || pid == postmaster || parent == postmaster;
                if (ours && stat[(open + 1)..stat.LastIndexOf(')')] == "postgres")
                {
                    seconds += ProcessSampler.CpuSecondsOf(stat);
                    if (pid == PostmasterPid)
                    {
                        // cutime + cstime: the backends that have exited (a pool closing idle
                        // connections), whose time would otherwise vanish from the sum.
                        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                        seconds += (double.Parse(fields[13], System.Globalization.CultureInfo.InvariantCulture)
                            + double.Parse(fields[14], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
                    }
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
