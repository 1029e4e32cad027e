namespace Eventide.Processor.Cluster;

/// <summary>
/// A site's in-memory state on the member owning its shard: counters and the
/// ids it stored recently (bounded, oldest evicted first). Dropped when the
/// site is passivated; nothing in it is needed for correctness.
/// </summary>
/// <remarks>
/// The ids live in one ring of at most <c>capacity</c> slots, each the id's compact form
/// (<see cref="RecentId"/>) and when it was stored, grown by doubling, and searched linearly.
/// With 100,000 sites every woken site entity holds its front until passivated, and a
/// dictionary and a queue of id strings cost about 140 bytes an id (4 KB of the 6 KB a site
/// entity held in the scale-of-sites benchmark); a slot costs 32. A scan of 64 slots is
/// cheaper than hashing the string it replaces.
/// </remarks>
public sealed class SiteState(int capacity)
{
    private RecentId[] _ids = [];
    private long[] _seenTicks = [];
    private int _count;

    /// <summary>The slot the next id overwrites once the ring is full: the oldest.</summary>
    private int _oldest;

    public long Stored { get; internal set; }

    public long Duplicates { get; internal set; }

    public long DeadLettered { get; internal set; }

    // Ticks, read by the member's site limit from another thread (a DateTimeOffset could tear).
    private long _lastActiveTicks;

    /// <summary>When the site was last asked or told about a batch (UTC).</summary>
    public DateTimeOffset LastActive
    {
        get => new(Volatile.Read(ref _lastActiveTicks), TimeSpan.Zero);
        internal set => Volatile.Write(ref _lastActiveTicks, value.UtcTicks);
    }

    /// <summary><see cref="LastActive"/> as UTC ticks, safe to read from any thread.</summary>
    internal long LastActiveTicks => Volatile.Read(ref _lastActiveTicks);

    public int RecentIdCount => _count;

    internal bool Contains(string eventId, DateTimeOffset notBefore)
    {
        var at = IndexOf(RecentId.Of(eventId));
        return at >= 0 && _seenTicks[at] > notBefore.UtcTicks;
    }

    internal void Remember(string eventId, DateTimeOffset now)
    {
        if (capacity < 1)
        {
            return;
        }
        var id = RecentId.Of(eventId);
        if (IndexOf(id) >= 0)
        {
            // Kept with its first time, as before: a resend does not extend its stay.
            return;
        }
        int slot;
        if (_count < capacity)
        {
            if (_count == _ids.Length)
            {
                var size = Math.Min(capacity, Math.Max(4, _ids.Length * 2));
                Array.Resize(ref _ids, size);
                Array.Resize(ref _seenTicks, size);
            }
            slot = _count++;
        }
        else
        {
            slot = _oldest;
            _oldest = (_oldest + 1) % capacity;
        }
        _ids[slot] = id;
        _seenTicks[slot] = now.UtcTicks;
    }

    private int IndexOf(RecentId id)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_ids[i].Equals(id))
            {
                return i;
            }
        }
        return -1;
    }
}
