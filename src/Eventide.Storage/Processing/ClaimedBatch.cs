using Eventide.Core;

namespace Eventide.Storage.Processing;

/// <summary>
/// A consume transaction's claim as <see cref="ConsumePlan"/> decides it: the events still to
/// store (each (site, id) once, in the order claimed), those found to be stored already, and the
/// dead letters of rows that could not be decoded.
/// </summary>
/// <param name="ClaimedEvents">Events the claimed rows hold, counted from the rows (undecodable ones included).</param>
/// <param name="Candidates">First occurrences not (yet) known to be stored.</param>
/// <param name="Duplicates">Repeats within the claim, then the events known to be stored.</param>
/// <param name="Dead">One dead letter per undecodable row.</param>
internal sealed record ClaimedBatch(int ClaimedEvents, List<EventRecord> Candidates, List<EventRecord> Duplicates, List<DeadLetterEntry> Dead);
