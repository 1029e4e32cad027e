using System.Globalization;

namespace Eventide.Bench;

/// <summary>RSS (current and peak) and CPU seconds of a process, from /proc.</summary>
public sealed class ProcessSampler(string name, int pid)
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux
    private double _cpuAtStart = double.NaN;
    private DateTime _startedAt;

    public string Name { get; } = name;

    public int Pid { get; } = pid;

    public long PeakRssBytes { get; private set; }

    public void Start()
    {
        _cpuAtStart = CpuSeconds();
        _startedAt = DateTime.UtcNow;
    }

    public void Sample() => PeakRssBytes = Math.Max(PeakRssBytes, RssBytes());

    public long RssBytes() => StatusKb("VmRSS:") * 1024;

    /// <summary>Peak RSS as the kernel saw it (VmHWM), which catches spikes between samples.</summary>
    public long HighWaterBytes() => StatusKb("VmHWM:") * 1024;

    public double CpuSeconds() => CpuSecondsOf(File.ReadAllText($"/proc/{Pid}/stat"));

    /// <summary>utime + stime from the text of a /proc/PID/stat file (fields 14 and 15 of stat(5)).</summary>
    public static double CpuSecondsOf(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>Average CPU use since Start, in cores (1.0 = one core busy).</summary>
    public double AverageCores() => (CpuSeconds() - _cpuAtStart) / (DateTime.UtcNow - _startedAt).TotalSeconds;

    private long StatusKb(string key)
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }
}
