namespace Eventide.Processor.Tests;

public class ShardAssignmentTests
{
    private static readonly string[] Three = ["host-a-1-0a1b2c3d", "host-b-7-99aa00ff", "host-c-3-12345678"];

    [Fact]
    public void ShardsOf_gives_every_shard_to_exactly_one_member()
    {
        var owned = Three.Select(m => ShardAssignment.ShardsOf(m, Three, 64)).ToList();
        for (var shard = 0; shard < 64; shard++)
        {
            Assert.Equal(1, owned.Count(o => o.Contains(shard)));
        }
        Assert.Equal(64, owned.Sum(o => o.Count));
    }

    [Fact]
    public void ShardsOf_agrees_whatever_the_member_order()
    {
        string[] reversed = [.. Three.Reverse()];
        foreach (var member in Three)
        {
            Assert.Equal(ShardAssignment.ShardsOf(member, Three, 64), ShardAssignment.ShardsOf(member, reversed, 64));
        }
    }

    [Fact]
    public void ShardsOf_balances_roughly_evenly()
    {
        var members = Enumerable.Range(0, 4).Select(i => $"proc-{i}-{Guid.NewGuid():N}").ToArray();
        foreach (var member in members)
        {
            // 1024 shards over 4 members: 256 each on average; rendezvous hashing stays well within ±25 %.
            Assert.InRange(ShardAssignment.ShardsOf(member, members, 1024).Count, 192, 320);
        }
    }

    [Fact]
    public void ShardsOf_moves_only_the_newcomers_shards_on_join_and_the_leavers_on_leave()
    {
        string[] four = [.. Three, "host-d-5-deadbeef"];
        for (var shard = 0; shard < 256; shard++)
        {
            var before = ShardAssignment.Owner(Three, shard);
            var after = ShardAssignment.Owner(four, shard);
            Assert.True(after == before || after == four[3], $"shard {shard} moved from {before} to {after}, not to the newcomer");
        }
        string[] two = [Three[0], Three[2]];
        for (var shard = 0; shard < 256; shard++)
        {
            var before = ShardAssignment.Owner(Three, shard);
            if (before != Three[1])
            {
                Assert.Equal(before, ShardAssignment.Owner(two, shard));
            }
        }
    }

    [Fact]
    public void ShardsOf_is_empty_for_a_member_not_in_the_list()
    {
        Assert.Empty(ShardAssignment.ShardsOf("stranger", Three, 64));
    }
}
