namespace Eventide.Bench;

/// <summary>
/// A phase of the run: its title, when it began (seconds into the run), the 1-minute load
/// average then, and for the phases that wait for a steady state, how they began and the inbox
/// at their end; and the processor's RSS high-water mark (VmHWM) as the phase began, so the
/// phase that raised it is the one before the row where it grew.
/// </summary>
public sealed record PhaseMark(string Title, double StartSeconds, double LoadAverage, PhaseStart? Start = null, long? InboxAtEnd = null,
    double? ProcessorHighWaterMb = null);
