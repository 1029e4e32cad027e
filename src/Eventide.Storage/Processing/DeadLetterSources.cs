namespace Eventide.Storage.Processing;

/// <summary>
/// The values of <c>dead_letters.source</c>: who wrote the dead letter. Migration 0100 names
/// <see cref="Segment"/> as a literal in its partial unique index, so the value never changes.
/// </summary>
public static class DeadLetterSources
{
    /// <summary>Events the processor could not store (poison events split out of a batch); replayable.</summary>
    public const string Processor = "processor";

    /// <summary>Segment messages rejected at intake; kept for inspection, since the sender has to fix and resend them.</summary>
    public const string Segment = "segment";
}
