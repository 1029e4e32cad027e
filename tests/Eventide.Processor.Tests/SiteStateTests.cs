using Eventide.Processor.Cluster;

namespace Eventide.Processor.Tests;

public class SiteStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static void Store(SiteState state, DateTimeOffset at, params string[] ids) =>
        SiteDecisions.Apply(state, new SiteCommitted("shop", ids, Duplicates: 0, DeadLettered: 0), at);

    [Fact]
    public void Known_matches_uuids_and_other_ids_exactly_as_strings()
    {
        var uuid = Guid.CreateVersion7().ToString();
        var state = new SiteState(64);
        Store(state, Now, uuid, "order-17", "");

        var asked = new[] { uuid, uuid.ToUpperInvariant(), "{" + uuid + "}", "order-17", "ORDER-17", "", "order-18" };
        var known = SiteDecisions.Known(state, asked, Now.AddHours(-1));

        Assert.Equal(asked.Where(id => id == uuid || id == "order-17" || id == "").ToList(), known);
    }

    [Fact]
    public void An_uppercase_uuid_stays_distinct_from_its_lowercase_form()
    {
        var uuid = Guid.NewGuid().ToString();
        var state = new SiteState(64);
        Store(state, Now, uuid.ToUpperInvariant());

        Assert.Empty(SiteDecisions.Known(state, [uuid], Now.AddHours(-1)));
        Assert.Single(SiteDecisions.Known(state, [uuid.ToUpperInvariant()], Now.AddHours(-1)));
    }

    [Fact]
    public void The_oldest_ids_are_evicted_first_once_the_capacity_is_reached()
    {
        var ids = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? $"id-{i}" : Guid.CreateVersion7().ToString()).ToArray();
        var state = new SiteState(10);
        foreach (var id in ids)
        {
            Store(state, Now, id);
        }

        Assert.Equal(10, state.RecentIdCount);
        Assert.Equal(ids[^10..], SiteDecisions.Known(state, ids, Now.AddHours(-1)));
    }

    [Fact]
    public void A_resent_id_keeps_its_first_time_and_its_place()
    {
        var state = new SiteState(2);
        Store(state, Now, "a");
        Store(state, Now.AddHours(2), "b", "a");
        Store(state, Now.AddHours(3), "c");

        // "a" was remembered first, so "c" evicted it; "b" stays.
        Assert.Equal(["b", "c"], SiteDecisions.Known(state, ["a", "b", "c"], Now.AddHours(1)));
        Assert.Equal(2, state.RecentIdCount);
    }

    [Fact]
    public void Known_ignores_ids_seen_before_the_window()
    {
        var state = new SiteState(64);
        Store(state, Now.AddHours(-30), "old");
        Store(state, Now, "new");

        Assert.Equal(["new"], SiteDecisions.Known(state, ["old", "new"], Now.AddHours(-24)));
    }

    [Fact]
    public void A_capacity_of_zero_remembers_nothing()
    {
        var state = new SiteState(0);
        Store(state, Now, "a", Guid.NewGuid().ToString());

        Assert.Equal(0, state.RecentIdCount);
        Assert.Equal(2, state.Stored);
    }
}
