using System.Diagnostics;

namespace Eventide.Bench;

/// <summary>
/// Starts latency phases from a drained steady state: the inbox empty, the aggregate refresher
/// idle and no other long statement in the database. A phase started behind the previous one's
/// backlog (or the refresher's recompute of it) measures group commits waiting for a busy
/// database, not the pipeline at that load. Each phase records the inbox at its start and end,
/// so the report shows whether the processor kept up. With <c>clear</c> each phase
/// first empties the pipeline tables (<see cref="PipelineData"/>): the previous phase's backlog
/// and its recompute are discarded instead of waited for, which took 6 of the run's 16 minutes.
/// </summary>
public sealed class SteadyState(Database db, TimeSpan deadline, bool clear = false)
{
    /// <summary>The database it reads (the phases that profile it read pg_stat_statements there too).</summary>
    public Database Db => db;

    /// <summary>How long the state must hold: a refresher between two rounds reads idle for a moment.</summary>
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Waits for the steady state (or the deadline, with a warning), then marks the phase's start.
    /// With <paramref name="inboxOnly"/> (throughput points, not latency ones) only the inbox must
    /// be empty: the refresher's recompute after a full-speed point takes minutes on a loaded
    /// machine, and waiting for it before each would break the run's 15-minute budget.
    /// </summary>
    public async Task BeginAsync(string title, CancellationToken ct, bool inboxOnly = false)
    {
        bool Done(SteadyReading r) => r.Satisfies(inboxOnly);
        var waited = Stopwatch.StartNew();
        ClearedBacklog? cleared = null;
        if (clear)
        {
            Progress.Status($"clearing the pipeline tables before \"{title}\"");
            cleared = await db.ClearPipelineDataAsync(ct);
        }
        var reading = await db.SteadyReadingAsync(ct);
        var steadySince = Done(reading) ? waited.Elapsed : (TimeSpan?)null;
        while (!(steadySince is { } since && waited.Elapsed - since >= Hold) && waited.Elapsed < deadline)
        {
            Progress.Status($"waiting for a steady state: inbox {reading.InboxEvents:N0} events, {reading.DirtyHours:N0} dirty hours, {reading.BusyStatements} statements > 200 ms ({waited.Elapsed.TotalSeconds:F0}/{deadline.TotalSeconds:F0} s)");
            await Task.Delay(Poll, ct);
            reading = await db.SteadyReadingAsync(ct);
            steadySince = Done(reading) ? steadySince ?? waited.Elapsed : null;
        }
        var reached = steadySince is not null;
        if (cleared is not null || waited.Elapsed > Poll)
        {
            Console.Error.WriteLine();
        }
        if (!reached)
        {
            Progress.Say($"warning: not steady after {deadline.TotalSeconds:F0} s ({reading}); \"{title}\" starts anyway");
        }
        Progress.Phase(title, new PhaseStart(reading.InboxEvents, reading.DirtyHours, waited.Elapsed.TotalSeconds, reached, cleared));
    }

    /// <summary>Records the inbox at the end of the phase begun last, before anything drains it.</summary>
    public async Task EndAsync(CancellationToken ct) => Progress.EndPhase(await db.InboxEventsAsync(ct));
}
