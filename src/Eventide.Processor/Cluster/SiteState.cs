namespace Eventide.Processor.Cluster;

/// <summary>
/// A site's in-memory state on the member owning its shard: counters and the
/// ids it stored recently (bounded, oldest evicted first). Dropped when the
/// site is passivated; nothing in it is needed for correctness.
/// </summary>
public sealed class SiteState(int capacity)
{
    private readonly Dictionary<string, DateTimeOffset> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public long Stored { get; internal set; }

    public long Duplicates { get; internal set; }

    public long DeadLettered { get; internal set; }

    public DateTimeOffset LastActive { get; internal set; }

    public int RecentIdCount => _ids.Count;

    internal bool Contains(string eventId, DateTimeOffset notBefore) =>
        _ids.TryGetValue(eventId, out var seen) && seen > notBefore;

    internal void Remember(string eventId, DateTimeOffset now)
    {
        if (_ids.TryAdd(eventId, now))
        {
            _order.Enqueue(eventId);
            if (_order.Count > capacity)
            {
                _ids.Remove(_order.Dequeue());
            }
        }
    }
}
