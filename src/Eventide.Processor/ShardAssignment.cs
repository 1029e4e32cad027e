using System.Text;
using Eventide.Core;

namespace Eventide.Processor;

/// <summary>
/// Rendezvous (highest random weight) hashing of shards over live members:
/// every member computes the same owner for each shard from the same member
/// list, and a join or leave moves only the shards the joining or leaving
/// member wins or held (about shards / members of them).
/// </summary>
public static class ShardAssignment
{
    /// <summary>The shards <paramref name="member"/> should own; empty when it is not among <paramref name="members"/>.</summary>
    public static HashSet<int> ShardsOf(string member, IReadOnlyList<string> members, int shards)
    {
        var owned = new HashSet<int>();
        if (!members.Contains(member))
        {
            return owned;
        }
        var hashes = members.Select(MemberHash).ToArray();
        for (var shard = 0; shard < shards; shard++)
        {
            if (Winner(members, hashes, shard) == member)
            {
                owned.Add(shard);
            }
        }
        return owned;
    }

    /// <summary>The member that owns <paramref name="shard"/>; ties (equal weights) go to the smaller id.</summary>
    public static string Owner(IReadOnlyList<string> members, int shard)
    {
        ArgumentOutOfRangeException.ThrowIfZero(members.Count);
        return Winner(members, [.. members.Select(MemberHash)], shard);
    }

    private static string Winner(IReadOnlyList<string> members, ulong[] hashes, int shard)
    {
        string? best = null;
        ulong bestWeight = 0;
        for (var i = 0; i < members.Count; i++)
        {
            var weight = Mix(hashes[i] ^ ((ulong)(uint)shard * 0x9E3779B97F4A7C15UL));
            if (best is null || weight > bestWeight || (weight == bestWeight && string.CompareOrdinal(members[i], best) < 0))
            {
                best = members[i];
                bestWeight = weight;
            }
        }
        return best!;
    }

    private static ulong MemberHash(string member)
    {
        // FNV-1a over the id, twice with different seeds, into 64 bits; Mix spreads it.
        var bytes = Encoding.UTF8.GetBytes(member);
        var high = ShardFunction.Fnv1a32(bytes);
        Array.Reverse(bytes);
        var low = ShardFunction.Fnv1a32(bytes);
        return ((ulong)high << 32) | low;
    }

    // SplitMix64 finalizer: a bijective avalanche so near-identical inputs get unrelated weights.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
