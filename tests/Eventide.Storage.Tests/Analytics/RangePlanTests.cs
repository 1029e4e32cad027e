using Eventide.Storage.Analytics;

namespace Eventide.Storage.Tests.Analytics;

public class RangePlanTests
{
    private static DateTimeOffset T(string s) => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void ForEvents_uses_the_coarsest_whole_buckets_and_raw_only_for_sub_minute_edges()
    {
        var plan = RangePlan.ForEvents(new TimeRange(T("2026-01-01T22:17:23.5Z"), T("2026-01-04T03:43:05Z")));
        Assert.Equal(
        [
            new RangeSegment(RangeSource.Raw, new TimeRange(T("2026-01-01T22:17:23.5Z"), T("2026-01-01T22:18:00Z"))),
            new RangeSegment(RangeSource.Minute, new TimeRange(T("2026-01-01T22:18:00Z"), T("2026-01-01T23:00:00Z"))),
            new RangeSegment(RangeSource.Hour, new TimeRange(T("2026-01-01T23:00:00Z"), T("2026-01-02T00:00:00Z"))),
            new RangeSegment(RangeSource.Day, new TimeRange(T("2026-01-02T00:00:00Z"), T("2026-01-04T00:00:00Z"))),
            new RangeSegment(RangeSource.Hour, new TimeRange(T("2026-01-04T00:00:00Z"), T("2026-01-04T03:00:00Z"))),
            new RangeSegment(RangeSource.Minute, new TimeRange(T("2026-01-04T03:00:00Z"), T("2026-01-04T03:43:00Z"))),
            new RangeSegment(RangeSource.Raw, new TimeRange(T("2026-01-04T03:43:00Z"), T("2026-01-04T03:43:05Z"))),
        ], plan);
    }

    [Fact]
    public void ForEvents_of_an_aligned_range_reads_one_aggregate()
    {
        var range = new TimeRange(T("2026-01-01T00:00:00Z"), T("2026-01-31T00:00:00Z"));
        Assert.Equal([new RangeSegment(RangeSource.Day, range)], RangePlan.ForEvents(range));
        Assert.Equal([new RangeSegment(RangeSource.Hour, range)], RangePlan.ForEvents(range, Granularity.Hour));
        Assert.Equal([new RangeSegment(RangeSource.Day, range)], RangePlan.ForUsers(range));
        Assert.Equal([new RangeSegment(RangeSource.Hour, range)], RangePlan.ForUsers(range, Granularity.Hour));
    }

    [Fact]
    public void Plans_of_random_ranges_tile_the_range_with_aligned_pieces()
    {
        var rng = new Random(42);
        var origin = T("2026-01-01T00:00:00Z");
        for (var i = 0; i < 2000; i++)
        {
            var from = origin.AddTicks(rng.NextInt64(TimeSpan.FromDays(40).Ticks) / 10 * 10);
            var to = from.AddTicks(rng.NextInt64(TimeSpan.FromDays(rng.Next(3) == 0 ? 0.01 : 20).Ticks) / 10 * 10);
            var range = new TimeRange(from, to);
            foreach (var plan in new[] { RangePlan.ForEvents(range), RangePlan.ForEvents(range, Granularity.Minute), RangePlan.ForUsers(range), RangePlan.ForUsers(range, Granularity.Hour) })
            {
                var cursor = from;
                foreach (var segment in plan)
                {
                    Assert.Equal(cursor, segment.Range.From);
                    Assert.True(segment.Range.To > segment.Range.From);
                    var width = segment.Source switch
                    {
                        RangeSource.Day => TimeSpan.FromDays(1),
                        RangeSource.Hour => TimeSpan.FromHours(1),
                        RangeSource.Minute => TimeSpan.FromMinutes(1),
                        _ => TimeSpan.FromTicks(1),
                    };
                    Assert.Equal(0, segment.Range.From.UtcTicks % width.Ticks);
                    Assert.Equal(0, segment.Range.To.UtcTicks % width.Ticks);
                    cursor = segment.Range.To;
                }
                Assert.Equal(range.IsEmpty ? from : to, cursor);
            }
        }
    }

    [Fact]
    public void Excluding_reads_a_dirty_hour_raw_and_the_rest_of_its_day_by_hour()
    {
        var plan = RangePlan.ForEvents(new TimeRange(T("2026-01-01T22:17:23.5Z"), T("2026-01-05T00:00:00Z")));
        var excluded = RangePlan.Excluding(plan, [T("2026-01-01T22:00:00Z"), T("2026-01-03T05:00:00Z"), T("2026-01-03T06:00:00Z")]);
        Assert.Equal(
        [
            new RangeSegment(RangeSource.Raw, new TimeRange(T("2026-01-01T22:17:23.5Z"), T("2026-01-01T23:00:00Z"))),
            new RangeSegment(RangeSource.Hour, new TimeRange(T("2026-01-01T23:00:00Z"), T("2026-01-02T00:00:00Z"))),
            new RangeSegment(RangeSource.Day, new TimeRange(T("2026-01-02T00:00:00Z"), T("2026-01-03T00:00:00Z"))),
            new RangeSegment(RangeSource.Hour, new TimeRange(T("2026-01-03T00:00:00Z"), T("2026-01-03T05:00:00Z"))),
            new RangeSegment(RangeSource.Raw, new TimeRange(T("2026-01-03T05:00:00Z"), T("2026-01-03T07:00:00Z"))),
            new RangeSegment(RangeSource.Hour, new TimeRange(T("2026-01-03T07:00:00Z"), T("2026-01-04T00:00:00Z"))),
            new RangeSegment(RangeSource.Day, new TimeRange(T("2026-01-04T00:00:00Z"), T("2026-01-05T00:00:00Z"))),
        ], excluded);
    }

    [Fact]
    public void Excluding_no_dirty_hours_keeps_the_plan()
    {
        var plan = RangePlan.ForUsers(new TimeRange(T("2026-01-01T22:17:23.5Z"), T("2026-01-05T03:00:00Z")));
        Assert.Equal(plan, RangePlan.Excluding(plan, []));
    }

    [Fact]
    public void Excluding_random_dirty_hours_tiles_the_range_and_reads_every_dirty_instant_raw()
    {
        var rng = new Random(7);
        var origin = T("2026-01-01T00:00:00Z");
        for (var i = 0; i < 1000; i++)
        {
            var from = origin.AddTicks(rng.NextInt64(TimeSpan.FromDays(10).Ticks) / 10 * 10);
            var to = from.AddTicks(rng.NextInt64(TimeSpan.FromDays(rng.Next(3) == 0 ? 0.2 : 8).Ticks) / 10 * 10);
            var range = new TimeRange(from, to);
            var dirty = Enumerable.Range(0, 20 * 24).Where(_ => rng.Next(12) == 0).Select(h => origin.AddHours(h)).ToList();
            foreach (var plan in new[] { RangePlan.ForEvents(range), RangePlan.ForEvents(range, Granularity.Minute), RangePlan.ForUsers(range), RangePlan.ForUsers(range, Granularity.Hour) })
            {
                var excluded = RangePlan.Excluding(plan, dirty);
                var cursor = from;
                foreach (var segment in excluded)
                {
                    Assert.Equal(cursor, segment.Range.From);
                    Assert.True(segment.Range.To > segment.Range.From);
                    if (segment.Source != RangeSource.Raw)
                    {
                        var width = TimeBuckets.Width(segment.Source switch
                        {
                            RangeSource.Day => Granularity.Day,
                            RangeSource.Hour => Granularity.Hour,
                            _ => Granularity.Minute,
                        });
                        Assert.Equal(0, segment.Range.From.UtcTicks % width.Ticks);
                        Assert.Equal(0, segment.Range.To.UtcTicks % width.Ticks);
                        Assert.DoesNotContain(dirty, h => h < segment.Range.To && h.AddHours(1) > segment.Range.From);
                        // Never coarser than the piece it came from, so users stay off events_1m.
                        Assert.Contains(plan, p => p.Source >= segment.Source && p.Range.From <= segment.Range.From && segment.Range.To <= p.Range.To);
                    }
                    cursor = segment.Range.To;
                }
                Assert.Equal(range.IsEmpty ? from : to, cursor);
            }
        }
    }

    [Theory]
    [InlineData("2026-01-01T10:17:00Z", "2026-01-01T10:19:00.5Z", Granularity.Minute, 3)]
    [InlineData("2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z", Granularity.Hour, 2)]
    [InlineData("2026-01-01T10:00:00Z", "2026-01-31T00:00:00.000001Z", Granularity.Day, 31)]
    [InlineData("2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z", Granularity.Minute, 0)]
    public void Bucket_count_includes_partial_edge_buckets(string from, string to, Granularity g, long count)
    {
        var range = new TimeRange(T(from), T(to));
        Assert.Equal(count, TimeBuckets.Count(range, g));
        Assert.Equal(count, TimeBuckets.Starts(range, g).LongCount());
    }
}
