using System.Diagnostics;
using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class EndToEndPacingTests
{
    [Theory]
    [InlineData(40_000, 120_000, 40_000)] // the backlog on target: offer what is stored
    [InlineData(40_000, 0, 60_000)]       // an empty inbox: more, at most half again
    [InlineData(40_000, 90_000, 50_000)]  // short of the target: make up the rest over 3 s
    [InlineData(40_000, 600_000, 20_000)] // a growing backlog: less, at least half
    [InlineData(0, 0, 1_500)]             // nothing stored yet: from a floor, not from zero
    public void The_next_rate_follows_what_is_stored_and_steers_the_backlog_to_three_seconds(double stored, long inbox, double expected) =>
        Assert.Equal(expected, EndToEndPacing.NextRate(stored, inbox), 6);

    [Fact]
    public void The_pacer_spaces_requests_by_the_rate_of_the_moment_and_does_not_make_up_a_lag_in_a_burst()
    {
        var pacer = new RatePacer(1000);
        var f = Stopwatch.Frequency;
        Assert.Equal(0, pacer.Next(100, 0));
        Assert.Equal(f / 10, pacer.Next(100, 0));          // 100 events at 1,000/s: 0.1 s apart
        pacer.Rate = 2000;
        Assert.Equal(f / 5, pacer.Next(100, 0));
        Assert.Equal(f / 5 + f / 20, pacer.Next(100, 0));  // now 0.05 s apart
        // Ten seconds later the schedule is far behind: it moves up to 0.1 s behind the clock.
        Assert.Equal(10 * f - f / 10, pacer.Next(100, 10 * f));
    }
}
