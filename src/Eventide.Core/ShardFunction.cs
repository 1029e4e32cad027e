using System.Text;

namespace Eventide.Core;

/// <summary>
/// The one shard function every component agrees on (docs/sharding.md has its test vectors):
/// FNV-1a 32-bit over the UTF-8 bytes of the site id, modulo the shard count.
/// </summary>
public static class ShardFunction
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static uint Fnv1a32(ReadOnlySpan<byte> data)
    {
        var hash = OffsetBasis;
        foreach (var b in data)
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }
        return hash;
    }

    public static int ShardOf(string siteId, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        // fast path: site ids are at most 64 ASCII bytes, so the UTF-8 form fits on the stack.
        Span<byte> buffer = stackalloc byte[256];
        var count = Encoding.UTF8.GetMaxByteCount(siteId.Length) <= buffer.Length
            ? Encoding.UTF8.GetBytes(siteId, buffer)
            : -1;
        var hash = count >= 0 ? Fnv1a32(buffer[..count]) : Fnv1a32(Encoding.UTF8.GetBytes(siteId));
        return (int)(hash % (uint)shards);
    }
}
