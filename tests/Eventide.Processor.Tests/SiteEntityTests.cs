using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using Eventide.Processor.Cluster;

namespace Eventide.Processor.Tests;

/// <summary>The site entity as the shard region starts it: its own props, on its own mailbox.</summary>
public class SiteEntityTests() : TestKit(SiteEntityMailbox.Hocon)
{
    private readonly LocalShards _local = new();

    private SiteEntitySettings Settings(TimeSpan passivation) =>
        new(TimeSpan.FromHours(24), passivation, 64, _local, TimeProvider.System);

    [Fact]
    public void CheckIds_knows_only_ids_committed_for_the_site()
    {
        var parent = CreateTestProbe();
        var site = parent.ChildActorOf(SiteEntity.PropsFor("shop", Settings(TimeSpan.FromHours(1))));

        site.Tell(new CheckIds("shop", ["a", "b"]), parent.Ref);
        Assert.Empty(parent.ExpectMsg<KnownIds>().EventIds);

        site.Tell(new SiteCommitted("shop", ["a", "c"], Duplicates: 2, DeadLettered: 1), parent.Ref);
        site.Tell(new CheckIds("shop", ["a", "b", "c"]), parent.Ref);
        var known = parent.ExpectMsg<KnownIds>();
        Assert.Equal("shop", known.SiteId);
        Assert.Equal(["a", "c"], known.EventIds);

        site.Tell(new GetSiteStats("shop"), parent.Ref);
        var stats = parent.ExpectMsg<SiteStats>();
        Assert.Equal((2L, 2L, 1L, 2), (stats.Stored, stats.Duplicates, stats.DeadLettered, stats.RecentIds));
    }

    [Fact]
    public void An_idle_site_asks_its_shard_to_passivate_it_and_stops_on_the_stop_message()
    {
        var parent = CreateTestProbe();
        var site = parent.ChildActorOf(SiteEntity.PropsFor("idle", Settings(TimeSpan.FromMilliseconds(200))));
        Watch(site);
        AwaitCondition(() => _local.SiteEntities == 1);

        var passivate = parent.ExpectMsg<Passivate>(TimeSpan.FromSeconds(10));
        Assert.Same(StopEntity.Instance, passivate.StopMessage);
        site.Tell(passivate.StopMessage, parent.Ref);
        ExpectTerminated(site);
        AwaitCondition(() => _local.SiteEntities == 0);
    }

    [Fact]
    public void A_site_the_limit_picks_passivates_unless_it_was_active_since()
    {
        var parent = CreateTestProbe();
        var site = parent.ChildActorOf(SiteEntity.PropsFor("busy", Settings(TimeSpan.FromHours(1))));
        site.Tell(new GetSiteStats("busy"), parent.Ref);
        var chosenAt = parent.ExpectMsg<SiteStats>().LastActive.UtcTicks;

        // Picked by an activity before its last one: it stays, so the next message is the answer.
        site.Tell(new PassivateIfIdle(chosenAt - 1), parent.Ref);
        site.Tell(new GetSiteStats("busy"), parent.Ref);
        parent.ExpectMsg<SiteStats>();

        // Picked by its last activity: it asks its shard once, however often it is asked.
        site.Tell(new PassivateIfIdle(chosenAt), parent.Ref);
        site.Tell(new PassivateIfIdle(chosenAt), parent.Ref);
        site.Tell(new GetSiteStats("busy"), parent.Ref);
        Assert.Same(StopEntity.Instance, parent.ExpectMsg<Passivate>().StopMessage);
        parent.ExpectMsg<SiteStats>();
    }

    [Fact]
    public void A_site_forgets_its_front_when_passivated_and_restarted()
    {
        var parent = CreateTestProbe();
        var settings = Settings(TimeSpan.FromHours(1));
        var first = parent.ChildActorOf(SiteEntity.PropsFor("again", settings));
        first.Tell(new SiteCommitted("again", ["x"], 0, 0), parent.Ref);
        Watch(first);
        first.Tell(StopEntity.Instance, parent.Ref);
        ExpectTerminated(first);

        // The front only saves a lookup: after passivation event_ids answers instead.
        var second = parent.ChildActorOf(SiteEntity.PropsFor("again", settings));
        second.Tell(new CheckIds("again", ["x"]), parent.Ref);
        Assert.Empty(parent.ExpectMsg<KnownIds>().EventIds);
    }

    [Fact]
    public void Its_mailbox_is_the_site_entity_mailbox()
    {
        var parent = CreateTestProbe();
        var site = (ActorRefWithCell)parent.ChildActorOf(SiteEntity.PropsFor("boxed", Settings(TimeSpan.FromHours(1))));
        var cell = Assert.IsType<ActorCell>(site.Underlying);
        Assert.IsType<SiteEntityMailbox.Queue>(cell.Mailbox!.MessageQueue);
    }
}
