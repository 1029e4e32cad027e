namespace Eventide.Bench;

/// <summary>
/// How a phase began: the inbox and the dirty aggregate hours then, how long it waited for the
/// drained steady state, and whether it got there before the deadline.
/// </summary>
public sealed record PhaseStart(long InboxEvents, long DirtyHours, double WaitedSeconds, bool Steady);
