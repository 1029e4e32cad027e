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
    public void Every_member_owns_within_one_shard_of_every_other_for_any_member_set()
    {
        var random = new Random(20261122);
        for (var trial = 0; trial < 300; trial++)
        {
            var shards = random.Next(1, 130);
            var members = Enumerable.Range(0, random.Next(1, 80)).Select(i => $"proc-{i}-{random.Next():x8}").ToArray();
            var counts = members.Select(m => ShardAssignment.ShardsOf(m, members, shards).Count).ToList();
            Assert.Equal(shards, counts.Sum());
            Assert.True(counts.Max() - counts.Min() <= 1, $"{shards} shards over {members.Length} members: {string.Join(',', counts)}");
            if (shards >= members.Length)
            {
                Assert.True(counts.Min() >= 1, $"{shards} shards over {members.Length} members left one idle");
            }
        }
    }

    [Theory]
    [InlineData(64, 3)]
    [InlineData(64, 8)]
    [InlineData(256, 5)]
    public void A_join_or_a_leave_moves_little_more_than_the_newcomers_or_leavers_share(int shards, int before)
    {
        var random = new Random(shards * 31 + before);
        for (var trial = 0; trial < 50; trial++)
        {
            var members = Enumerable.Range(0, before).Select(i => $"host-{i}-{random.Next():x8}").ToArray();
            string[] joined = [.. members, $"host-new-{random.Next():x8}"];
            var share = shards / joined.Length + 1;
            // The newcomer's (or leaver's) share moves, plus a few for rebalancing; a re-deal would move most shards.
            var join = Moved(members, joined, shards);
            Assert.True(join <= 2 * share, $"a join moved {join} of {shards} shards (share {share})");
            var leave = Moved(joined, members, shards);
            Assert.True(leave <= 2 * share, $"a leave moved {leave} of {shards} shards (share {share})");
        }
    }

    private static int Moved(string[] from, string[] to, int shards)
    {
        var a = ShardAssignment.Assign(from, shards);
        var b = ShardAssignment.Assign(to, shards);
        return Enumerable.Range(0, shards).Count(s => a[s] != b[s]);
    }

    [Fact]
    public void ShardsOf_is_empty_for_a_member_not_in_the_list()
    {
        Assert.Empty(ShardAssignment.ShardsOf("stranger", Three, 64));
    }
}
