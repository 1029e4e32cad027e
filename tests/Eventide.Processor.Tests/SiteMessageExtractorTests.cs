using Eventide.Core;
using Eventide.Processor.Cluster;

namespace Eventide.Processor.Tests;

public class SiteMessageExtractorTests
{
    // The FNV-1a test vectors every component agrees on (shard of 64).
    [Theory]
    [InlineData("a", 44)]
    [InlineData("demo", 54)]
    [InlineData("example.com", 38)]
    [InlineData("site-1", 56)]
    [InlineData("shop_42", 16)]
    [InlineData("Ünïcode", 11)]
    public void ShardId_of_a_site_is_the_inbox_shard_of_the_FNV_vectors(string site, int shard)
    {
        var extractor = new SiteMessageExtractor(64);
        Assert.Equal(shard.ToString(System.Globalization.CultureInfo.InvariantCulture), extractor.ShardId(new SiteCommitted(site, [], 0, 0)));
        Assert.Equal(site, extractor.EntityId(new CheckIds(site, ["x"])));
        Assert.Equal(ShardFunction.ShardOf(site, 64), extractor.ShardOf(site));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(63)]
    public void ShardId_of_a_consumer_is_the_shard_it_names(int shard)
    {
        var extractor = new SiteMessageExtractor(64);
        var id = SiteMessageExtractor.ConsumerId(shard);
        Assert.Equal(shard.ToString(System.Globalization.CultureInfo.InvariantCulture), extractor.ShardId(new Wake(id)));
        Assert.Equal(shard, SiteMessageExtractor.ConsumerShard(id));
    }

    [Fact]
    public void Site_ids_are_never_consumer_ids()
    {
        Assert.Null(SiteMessageExtractor.ConsumerShard("consumer-1"));
        Assert.False(SiteId.IsValid(SiteMessageExtractor.ConsumerId(1)));
    }

    [Fact]
    public void ShardId_of_a_message_for_no_entity_is_null()
    {
        var extractor = new SiteMessageExtractor(8);
        Assert.Null(extractor.ShardId((object)"not an entity message"));
        Assert.Null(extractor.EntityId(42));
    }
}
