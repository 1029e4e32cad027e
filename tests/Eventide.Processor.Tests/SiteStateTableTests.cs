using Eventide.Storage.Processing;

namespace Eventide.Processor.Tests;

public class SiteStateTableTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static ConsumeResult Stored(params (string Site, string Id)[] events) =>
        new(1, events.Length, [.. events.Select(e => InboxTestWriter.Event(e.Site, e.Id, Start))], [], [], false);

    [Fact]
    public void Passivate_drops_sites_idle_longer_than_the_passivation_time()
    {
        var time = new ManualTimeProvider(Start);
        var table = new SiteStateTable(time, TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), 100);
        table.Record(Stored(("a", "1"), ("b", "1")));
        time.Advance(TimeSpan.FromMinutes(3));
        table.Record(Stored(("b", "2")));
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(1, table.Passivate());
        Assert.Null(table.Find("a"));
        Assert.Equal(2, table.Find("b")!.Stored);
        Assert.False(table.Contains("a", "1"));
        Assert.True(table.Contains("b", "1"));

        time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, table.Passivate());
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Contains_forgets_ids_older_than_the_dedupe_window()
    {
        var time = new ManualTimeProvider(Start);
        var table = new SiteStateTable(time, TimeSpan.FromDays(7), TimeSpan.FromHours(24), 100);
        table.Record(Stored(("a", "1")));
        time.Advance(TimeSpan.FromHours(23));
        Assert.True(table.Contains("a", "1"));
        time.Advance(TimeSpan.FromHours(2));
        Assert.False(table.Contains("a", "1"));
    }

    [Fact]
    public void Recent_ids_per_site_are_bounded_oldest_first()
    {
        var time = new ManualTimeProvider(Start);
        var table = new SiteStateTable(time, TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), 3);
        table.Record(Stored(("a", "1"), ("a", "2"), ("a", "3"), ("a", "4")));
        Assert.Equal(3, table.Find("a")!.RecentIdCount);
        Assert.False(table.Contains("a", "1"));
        Assert.True(table.Contains("a", "4"));
        Assert.Equal(4, table.Find("a")!.Stored);
    }
}
