namespace Eventide.Core.Events;

public sealed partial class EventParser
{
    /// <summary>Per-call state: recent strings to reuse and pooled key sets for duplicate detection.</summary>
    private sealed class ParseState(DateTimeOffset receivedAt, bool allowEpochMillis, SeedShapes? seed)
    {
        public SeedShapes? Seed { get; } = seed;

        private readonly Stack<HashSet<string>> _pool = new();

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public bool AllowEpochMillis { get; } = allowEpochMillis;

        public string? LastSite { get; set; }

        public string? LastName { get; set; }

        /// <summary>One entry per open container in the properties being read; null for arrays.</summary>
        public List<HashSet<string>?> Keys { get; } = [];

        public HashSet<string> RentKeySet() => _pool.TryPop(out var set) ? set : new HashSet<string>(StringComparer.Ordinal);

        public void ReturnKeySet(HashSet<string>? set)
        {
            if (set is not null)
            {
                set.Clear();
                _pool.Push(set);
            }
        }
    }
}
