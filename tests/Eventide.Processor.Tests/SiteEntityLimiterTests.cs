using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Eventide.Processor.Cluster;
using Microsoft.Extensions.Time.Testing;

namespace Eventide.Processor.Tests;

/// <summary>The member's bound on live site entities: the least recently active go first.</summary>
public class SiteEntityLimiterTests() : TestKit(SiteEntityMailbox.Hocon)
{
    private readonly LocalShards _local = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Over_the_limit_the_least_recently_active_sites_are_asked_to_passivate()
    {
        var settings = new SiteEntitySettings(TimeSpan.FromHours(24), TimeSpan.FromHours(1), 64, _local, _clock);
        // Five sites, each under its own parent (its "shard"), active one second apart.
        var sites = new List<(TestProbe Parent, IActorRef Site)>();
        for (var i = 0; i < 5; i++)
        {
            var parent = CreateTestProbe();
            var site = parent.ChildActorOf(SiteEntity.PropsFor($"s{i}", settings));
            site.Tell(new CheckIds($"s{i}", ["e"]), parent.Ref);
            parent.ExpectMsg<KnownIds>();
            sites.Add((parent, site));
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        // The first site is active again, after the others: the second and third are now the oldest.
        sites[0].Site.Tell(new CheckIds("s0", ["e"]), sites[0].Parent.Ref);
        sites[0].Parent.ExpectMsg<KnownIds>();
        AwaitCondition(() => _local.SiteEntities == 5);

        var limiter = new SiteEntityLimiter(_local, new ProcessorSettings { MaxActiveSites = 3 }, _clock);
        Assert.Equal(2, limiter.Sweep());

        foreach (var i in new[] { 1, 2 })
        {
            var passivate = sites[i].Parent.ExpectMsg<Passivate>();
            Assert.Equal(sites[i].Site, sites[i].Parent.LastSender);
            Watch(sites[i].Site);
            sites[i].Site.Tell(passivate.StopMessage, sites[i].Parent.Ref);
            ExpectTerminated(sites[i].Site);
        }
        foreach (var i in new[] { 0, 3, 4 })
        {
            // Not asked: the answer is the first message its parent gets.
            sites[i].Site.Tell(new GetSiteStats($"s{i}"), sites[i].Parent.Ref);
            sites[i].Parent.ExpectMsg<SiteStats>();
        }
        AwaitCondition(() => _local.SiteEntities == 3);
        Assert.Equal(0, limiter.Sweep());
    }

    [Fact]
    public void A_large_limit_goes_down_to_nine_tenths_and_no_limit_asks_nothing()
    {
        var settings = new SiteEntitySettings(TimeSpan.FromHours(24), TimeSpan.FromHours(1), 64, _local, _clock);
        var parent = CreateTestProbe();
        for (var i = 0; i < 21; i++)
        {
            parent.ChildActorOf(SiteEntity.PropsFor($"s{i}", settings));
        }
        AwaitCondition(() => _local.SiteEntities == 21);

        Assert.Equal(0, new SiteEntityLimiter(_local, new ProcessorSettings { MaxActiveSites = 0 }, _clock).Sweep());
        Assert.Equal(0, new SiteEntityLimiter(_local, new ProcessorSettings { MaxActiveSites = 21 }, _clock).Sweep());
        // 21 alive over a limit of 20: down to 18.
        Assert.Equal(3, new SiteEntityLimiter(_local, new ProcessorSettings { MaxActiveSites = 20 }, _clock).Sweep());
        for (var i = 0; i < 3; i++)
        {
            parent.ExpectMsg<Passivate>();
        }
    }
}
