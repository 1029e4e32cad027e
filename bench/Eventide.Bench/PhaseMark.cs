namespace Eventide.Bench;

/// <summary>A phase of the run: its title, when it began (seconds into the run) and the 1-minute load average then.</summary>
public sealed record PhaseMark(string Title, double StartSeconds, double LoadAverage);
