using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class SteadyReadingTests
{
    [Theory]
    [InlineData(0, 0, 0, true, true)]
    [InlineData(0, 12, 0, false, true)]
    [InlineData(0, 0, 1, false, true)]
    [InlineData(5, 0, 0, false, false)]
    [InlineData(5, 3, 2, false, false)]
    public void Satisfies_needs_everything_idle_or_with_inbox_only_just_the_empty_inbox(long inbox, long dirty, long busy, bool steady, bool inboxOnly)
    {
        var reading = new SteadyReading(inbox, dirty, busy);

        Assert.Equal(steady, reading.Satisfies(inboxOnly: false));
        Assert.Equal(inboxOnly, reading.Satisfies(inboxOnly: true));
    }
}
