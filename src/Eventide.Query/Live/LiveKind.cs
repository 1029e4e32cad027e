namespace Eventide.Query.Live;

/// <summary>What a live connection receives: per-second counts, or the feed of recent events.</summary>
public enum LiveKind
{
    Counts,
    Feed,
}
