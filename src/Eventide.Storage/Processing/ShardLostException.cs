namespace Eventide.Storage.Processing;

/// <summary>The member's session no longer holds the shard's lock, so it must not consume it.</summary>
public sealed class ShardLostException(int shard)
    : Exception($"Shard {shard} is no longer locked by this member's session")
{
    public int Shard { get; } = shard;
}
