using System.Diagnostics;

namespace Eventide.Bench;

/// <summary>
/// Paces the end-to-end phase's offered rate to what the pipeline stores: once a second the
/// events stored in that second (accepted minus the inbox's growth) set the next rate, nudged so
/// that the inbox holds about <see cref="BacklogSeconds"/> of them, enough for the processor's
/// batches to stay full and little enough that the inbox neither grows nor runs dry.
/// </summary>
public static class EndToEndPacing
{
    public const double BacklogSeconds = 3;

    /// <summary>Seconds over which a backlog away from its target is made up.</summary>
    public const double CorrectionSeconds = 3;

    /// <summary>The next rate from the rate stored and the inbox now; at most half again, at least half, the stored rate.</summary>
    public static double NextRate(double storedPerSecond, long inbox)
    {
        var stored = Math.Max(1000, storedPerSecond);
        var target = stored * BacklogSeconds;
        return Math.Clamp(stored + ((target - inbox) / CorrectionSeconds), 0.5 * stored, 1.5 * stored);
    }

    public static async Task RunAsync(RatePacer pacer, Func<long> accepted, Func<CancellationToken, Task<long>> inbox, CancellationToken ct)
    {
        try
        {
            // The runner resets the accepted count as it starts: begin a second in.
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var acceptedBefore = accepted();
            var inboxBefore = await inbox(ct);
            var at = Stopwatch.GetTimestamp();
            double? stored = null;
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                var acceptedNow = accepted();
                var inboxNow = await inbox(ct);
                var seconds = Stopwatch.GetElapsedTime(at).TotalSeconds;
                at = Stopwatch.GetTimestamp();
                var storedNow = ((acceptedNow - acceptedBefore) - (inboxNow - inboxBefore)) / seconds;
                stored = stored is { } s ? (0.5 * s) + (0.5 * storedNow) : storedNow;
                pacer.Rate = NextRate(stored.Value, inboxNow);
                (acceptedBefore, inboxBefore) = (acceptedNow, inboxNow);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
