namespace Eventide.Bench;

/// <summary>
/// One status line a second on stderr while a phase runs, and a line per phase with the time
/// since the run began and the machine's load average (which the report keeps next to each
/// phase: on a shared machine it says how far to trust the figures).
/// </summary>
public static class Progress
{
    private static readonly System.Diagnostics.Stopwatch Run = System.Diagnostics.Stopwatch.StartNew();
    private static readonly List<PhaseMark> Marks = [];
    private static long _events;
    private static long _requests;
    private static long _failures;

    public static void Record(long accepted, bool ok)
    {
        Interlocked.Add(ref _events, accepted);
        Interlocked.Increment(ref _requests);
        if (!ok)
        {
            Interlocked.Increment(ref _failures);
        }
    }

    public static async Task RunAsync(string phase, LoadResult _, TimeSpan duration, CancellationToken ct)
    {
        Interlocked.Exchange(ref _events, 0);
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _failures, 0);
        var started = DateTime.UtcNow;
        long lastEvents = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(1000, ct);
                var events = Interlocked.Read(ref _events);
                var elapsed = DateTime.UtcNow - started;
                Status($"{phase,-28} {elapsed.TotalSeconds,5:F0}/{duration.TotalSeconds:F0} s  {events - lastEvents,9:N0} ev/s  total {events,12:N0}  req {Interlocked.Read(ref _requests),9:N0}  failed {Interlocked.Read(ref _failures):N0}");
                lastEvents = events;
            }
        }
        catch (OperationCanceledException)
        {
        }
        Console.Error.WriteLine();
    }

    public static void Status(string line) => Console.Error.Write("\r" + line.PadRight(118));

    public static void Say(string line) => Console.Error.WriteLine(line);

    /// <summary>Starts a phase: "[m:ss] ==> title (load average …)" and a mark for the report.</summary>
    /// <summary>The processor's RSS high-water mark in MB, read as each phase begins; null: not recorded.</summary>
    public static Func<double>? ProcessorHighWaterMb { get; set; }

    public static void Phase(string title, PhaseStart? start = null)
    {
        var load = LoadAverage();
        double? highWater = null;
        try
        {
            highWater = ProcessorHighWaterMb?.Invoke();
        }
        catch (IOException)
        {
            // The processor has exited: the phase row goes without it.
        }
        lock (Marks)
        {
            Marks.Add(new PhaseMark(title, Run.Elapsed.TotalSeconds, load, start, ProcessorHighWaterMb: highWater));
        }
        Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"[{(int)Run.Elapsed.TotalMinutes}:{Run.Elapsed.Seconds:D2}] ==> {title} (load average {load:F1})"));
    }

    /// <summary>The inbox at the end of the phase begun last (see <see cref="SteadyState.EndAsync"/>).</summary>
    public static void EndPhase(long inboxEvents)
    {
        lock (Marks)
        {
            Marks[^1] = Marks[^1] with { InboxAtEnd = inboxEvents };
        }
    }

    /// <summary>The phases so far, each with its start (seconds into the run) and the 1-minute load average then.</summary>
    public static IReadOnlyList<PhaseMark> Phases
    {
        get
        {
            lock (Marks)
            {
                return [.. Marks];
            }
        }
    }

    public static double ElapsedSeconds => Run.Elapsed.TotalSeconds;

    /// <summary>The 1-minute load average from /proc/loadavg; NaN where there is none.</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }
}
