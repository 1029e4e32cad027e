using System.Text;
using Eventide.Core;

namespace Eventide.Core.Tests;

public class ShardFunctionTests
{
    // Vectors computed outside this code base (a ten-line Python FNV-1a);
    // the same table is in docs/sharding.md so every component can check itself.
    [Theory]
    [InlineData("", 0x811c9dc5u, 5)]
    [InlineData("a", 0xe40c292cu, 44)]
    [InlineData("demo", 0xaefd3536u, 54)]
    [InlineData("example.com", 0x431ceb26u, 38)]
    [InlineData("site-1", 0xf43c0c38u, 56)]
    [InlineData("shop_42", 0x26e00fd0u, 16)]
    [InlineData("Ünïcode", 0xb9e85ecbu, 11)]
    public void ShardOf_matches_published_vectors(string site, uint hash, int shardOf64)
    {
        Assert.Equal(hash, ShardFunction.Fnv1a32(Encoding.UTF8.GetBytes(site)));
        if (site.Length > 0)
        {
            Assert.Equal(shardOf64, ShardFunction.ShardOf(site, 64));
        }
    }

    [Fact]
    public void ShardOf_long_site_id_matches_vector()
    {
        Assert.Equal(5, ShardFunction.ShardOf(new string('a', 64), 64));
        Assert.Equal(5, ShardFunction.ShardOf(new string('a', 64), 16));
    }

    [Fact]
    public void ShardOf_rejects_zero_shards()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardFunction.ShardOf("demo", 0));
    }

    [Fact]
    public void ShardOf_spreads_sites_over_every_shard()
    {
        var seen = new HashSet<int>();
        for (var i = 0; i < 5000; i++)
        {
            seen.Add(ShardFunction.ShardOf($"site-{i}", 64));
        }
        Assert.Equal(64, seen.Count);
    }
}
