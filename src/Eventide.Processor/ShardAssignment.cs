using System.Text;
using Eventide.Core;

namespace Eventide.Processor;

/// <summary>
/// Rendezvous (highest random weight) hashing with bounded loads: every
/// (member, shard) pair has a weight, and pairs are granted in descending
/// weight order while the shard is free and the member is under its
/// capacity. Capacities are <c>shards / members</c>, one more for the first
/// <c>shards % members</c> members in id order, and add up to the shard
/// count, so every member owns within one shard of every other (and at least
/// one whenever there are as many shards as members). Plain rendezvous
/// hashing left members idle: with 16 shards and 4 members one member won no
/// shard in about 4 % of member sets, and with as many members as shards
/// over a third of them. Every member computes the same assignment from the
/// same member list, whatever its order. A join or leave moves about
/// <c>shards / members</c> shards plus the few that rebalancing needs.
/// </summary>
public static class ShardAssignment
{
    /// <summary>The shards <paramref name="member"/> should own; empty when it is not among <paramref name="members"/>.</summary>
    public static HashSet<int> ShardsOf(string member, IReadOnlyList<string> members, int shards)
    {
        var owned = new HashSet<int>();
        var owners = Assign(members, shards);
        for (var shard = 0; shard < owners.Length; shard++)
        {
            if (owners[shard] == member)
            {
                owned.Add(shard);
            }
        }
        return owned;
    }

    /// <summary>The member that owns <paramref name="shard"/> among <paramref name="members"/> over <paramref name="shards"/> shards.</summary>
    public static string Owner(IReadOnlyList<string> members, int shard, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfZero(members.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, shards);
        return Assign(members, shards)[shard]!;
    }

    /// <summary>The owner of every shard; null entries only when there are no members.</summary>
    public static string?[] Assign(IReadOnlyList<string> members, int shards)
    {
        var owners = new string?[shards];
        if (members.Count == 0)
        {
            return owners;
        }
        string[] sorted = [.. members.Distinct().Order(StringComparer.Ordinal)];
        var capacity = new int[sorted.Length];
        for (var m = 0; m < sorted.Length; m++)
        {
            capacity[m] = shards / sorted.Length + (m < shards % sorted.Length ? 1 : 0);
        }
        var hashes = sorted.Select(MemberHash).ToArray();
        var pairs = new (ulong Weight, int Member, int Shard)[sorted.Length * shards];
        for (var m = 0; m < sorted.Length; m++)
        {
            for (var shard = 0; shard < shards; shard++)
            {
                pairs[m * shards + shard] = (Weight(hashes[m], shard), m, shard);
            }
        }
        // Heaviest first; equal weights go to the smaller member id, then the smaller shard.
        Array.Sort(pairs, static (a, b) => a.Weight != b.Weight ? b.Weight.CompareTo(a.Weight)
            : a.Member != b.Member ? a.Member.CompareTo(b.Member) : a.Shard.CompareTo(b.Shard));
        var left = shards;
        foreach (var (_, m, shard) in pairs)
        {
            if (owners[shard] is null && capacity[m] > 0)
            {
                owners[shard] = sorted[m];
                capacity[m]--;
                if (--left == 0)
                {
                    break;
                }
            }
        }
        return owners;
    }

    private static ulong Weight(ulong memberHash, int shard) => Mix(memberHash ^ ((ulong)(uint)shard * 0x9E3779B97F4A7C15UL));

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
