namespace Eventide.Bench;

/// <summary>
/// How a phase began: the inbox and the dirty aggregate hours then, how long it waited for the
/// drained steady state (the clearing included), whether it got there before the deadline, and
/// what the bench discarded before it (null when it kept the previous phases' data).
/// </summary>
public sealed record PhaseStart(long InboxEvents, long DirtyHours, double WaitedSeconds, bool Steady, ClearedBacklog? Cleared = null);
