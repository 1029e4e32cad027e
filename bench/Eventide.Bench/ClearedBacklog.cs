namespace Eventide.Bench;

/// <summary>
/// What the bench discarded before a phase: the inbox events and dirty aggregate hours the
/// previous phase left, and how long the truncation took (it waits for the storing transactions
/// and the refresh round in flight).
/// </summary>
public sealed record ClearedBacklog(long InboxEvents, long DirtyHours, double Seconds);
