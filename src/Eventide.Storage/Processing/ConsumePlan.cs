using Eventide.Core;

namespace Eventide.Storage.Processing;

/// <summary>
/// The decisions of a consume transaction, apart from its I/O: what the claimed rows hold, which
/// events are duplicates, in which order the rest are inserted, and what a failed insert means.
/// <see cref="ShardConsumer"/> claims, looks ids up and writes; every choice in between is here,
/// so it can be tested without a database. No method changes its arguments.
/// </summary>
internal static class ConsumePlan
{
    /// <summary>
    /// Decodes the claimed rows and drops the repeats within them: the first occurrence of each
    /// (site, id) is a candidate, every later one a duplicate (it needs no lookup). A row that
    /// cannot be decoded becomes one dead letter holding the whole row: there is no event in it
    /// to store, and retrying cannot help.
    /// </summary>
    public static ClaimedBatch Claim(int shard, IReadOnlyList<InboxRow> rows)
    {
        var claimedEvents = 0;
        var events = new List<EventRecord>();
        var dead = new List<DeadLetterEntry>();
        foreach (var row in rows)
        {
            claimedEvents += row.EventCount;
            try
            {
                events.AddRange(InboxCodec.Decode(row.Payload));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
            {
                dead.Add(new DeadLetterEntry(null, null,
                    DeadLetterPayload.FromUndecodable(row.Id, shard, row.EventCount, row.ReceivedAt, row.Payload),
                    $"undecodable inbox payload: {ex.Message}", row.EventCount));
            }
        }

        var candidates = new List<EventRecord>(events.Count);
        var duplicates = new List<EventRecord>();
        var inBatch = new HashSet<(string, string)>(events.Count);
        foreach (var e in events)
        {
            (inBatch.Add((e.SiteId, e.EventId)) ? candidates : duplicates).Add(e);
        }
        return new ClaimedBatch(claimedEvents, candidates, duplicates, dead);
    }

    /// <summary>
    /// Moves the candidates whose (site, id) is in <paramref name="known"/> (remembered by the
    /// site entities, or found in event_ids) to the duplicates, keeping both in order.
    /// </summary>
    public static ClaimedBatch WithoutKnown(ClaimedBatch batch, IReadOnlySet<(string SiteId, string EventId)> known)
    {
        if (known.Count == 0)
        {
            return batch;
        }
        var fresh = new List<EventRecord>(Math.Max(0, batch.Candidates.Count - known.Count));
        var duplicates = new List<EventRecord>(batch.Duplicates);
        foreach (var e in batch.Candidates)
        {
            (known.Contains((e.SiteId, e.EventId)) ? duplicates : fresh).Add(e);
        }
        return batch with { Candidates = fresh, Duplicates = duplicates };
    }

    /// <summary>
    /// The insert order, (site, time): the events of one site and hour are adjacent, so the
    /// dirty-hour marks of a batch are found in one pass.
    /// </summary>
    public static List<EventRecord> InInsertOrder(IEnumerable<EventRecord> events)
    {
        var sorted = new List<EventRecord>(events);
        sorted.Sort(static (a, b) =>
        {
            var bySite = string.CompareOrdinal(a.SiteId, b.SiteId);
            return bySite != 0 ? bySite : a.Timestamp.CompareTo(b.Timestamp);
        });
        return sorted;
    }

    /// <summary>
    /// After an isolating insert: the events stored, in order, and a dead letter for each event
    /// the database refused (<paramref name="poison"/> holds its error at the event's index).
    /// </summary>
    public static (List<EventRecord> Stored, List<DeadLetterEntry> Poisoned) SplitPoison(IReadOnlyList<EventRecord> inserted, IReadOnlyList<string?> poison)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(poison.Count, inserted.Count);
        var stored = new List<EventRecord>(inserted.Count);
        var poisoned = new List<DeadLetterEntry>();
        for (var i = 0; i < inserted.Count; i++)
        {
            if (poison[i] is { } error)
            {
                var e = inserted[i];
                poisoned.Add(new DeadLetterEntry(e.SiteId, e.EventId, DeadLetterPayload.FromEvent(e), error, 1));
            }
            else
            {
                stored.Add(inserted[i]);
            }
        }
        return (stored, poisoned);
    }

    /// <summary>
    /// Whether a failed insert is the data's fault, so the batch is run again isolating the bad
    /// events: class 22 (data exception: bad jsonb, invalid byte sequence, out of range) and 23
    /// (constraints, including "no partition for the row" and a duplicate older than the dedupe
    /// window). Anything else (a lost connection, a timeout) fails the consume, to be retried whole.
    /// </summary>
    public static bool IsDataError(string sqlState) =>
        sqlState.StartsWith("22", StringComparison.Ordinal) || sqlState.StartsWith("23", StringComparison.Ordinal);
}
