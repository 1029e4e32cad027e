using Eventide.Storage.Processing;

namespace Eventide.Ingestion.Segment;

/// <summary>
/// Writes a Segment request's rejected messages as dead letters before the request is answered,
/// through the ingestion role's fail-fast data source, and counts the new ones by reason (a
/// retried batch finds its dead letters already written and counts nothing again).
/// </summary>
public sealed class SegmentDeadLetterWriter(IngestionDatabase database, IngestionMetrics metrics)
{
    private readonly SegmentDeadLetterStore _store = new(database.DataSource);

    /// <summary>Commits the dead letters; returns how many were new (not written by an earlier attempt).</summary>
    public async Task<int> WriteAsync(string site, IReadOnlyList<SegmentRejection> rejected, CancellationToken cancellationToken)
    {
        var inserted = await _store.WriteAsync(site,
            [.. rejected.Select(r => r.DeadLetterId)], [.. rejected.Select(r => r.Payload)], [.. rejected.Select(r => r.Reason)], cancellationToken);
        var count = inserted.Count;
        foreach (var r in rejected)
        {
            if (inserted.Remove(r.DeadLetterId))
            {
                metrics.SegmentDeadLetters.Add(1, new KeyValuePair<string, object?>("reason", IntakeGate.ReasonTag(r.Kind)));
            }
        }
        return count;
    }
}
