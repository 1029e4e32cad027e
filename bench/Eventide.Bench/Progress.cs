namespace Eventide.Bench;

/// <summary>One status line a second on stderr while a phase runs.</summary>
public static class Progress
{
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
}
