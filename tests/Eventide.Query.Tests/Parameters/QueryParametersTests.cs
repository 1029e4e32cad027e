using System.Globalization;
using Eventide.Query.Parameters;

namespace Eventide.Query.Tests.Parameters;

public class QueryParametersTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.0000000Z")]
    [InlineData("2026-01-01t10:00:00.5z", "2026-01-01T10:00:00.5000000Z")]
    [InlineData("2026-01-01T10:00:00+02:00", "2026-01-01T08:00:00.0000000Z")]
    [InlineData("2026-01-01T10:00:00 02:00", "2026-01-01T08:00:00.0000000Z")]
    [InlineData("2026-01-01T10:00:00-05:30", "2026-01-01T15:30:00.0000000Z")]
    [InlineData("2026-01-01T00:00:00.123456789Z", "2026-01-01T00:00:00.1234560Z")]
    public void Timestamp_in_rfc3339_parses_to_utc_microseconds(string text, string expected)
    {
        Assert.True(QueryParameters.TryParseTimestamp(text, out var value));
        Assert.Equal(expected, value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-01-01")]
    [InlineData("2026-01-01T00:00:00")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("1735689600")]
    [InlineData("2026-01-01T25:00:00Z")]
    public void Timestamp_that_is_not_rfc3339_is_refused(string text) =>
        Assert.False(QueryParameters.TryParseTimestamp(text, out _));

    [Fact]
    public void Range_defaults_to_the_last_24_hours_only_when_both_ends_are_absent()
    {
        Assert.Null(QueryParameters.TryParseRange(null, null, Now, 400, out var range));
        Assert.Equal(new TimeRange(Now.AddDays(-1), Now), range);
        Assert.NotNull(QueryParameters.TryParseRange("2026-01-01T00:00:00Z", null, Now, 400, out _));
        Assert.NotNull(QueryParameters.TryParseRange(null, "2026-01-01T00:00:00Z", Now, 400, out _));
    }

    [Theory]
    [InlineData("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", "before")]
    [InlineData("2026-01-01T00:00:00Z", "2027-02-05T00:00:01Z", "at most 400 days")]
    public void Range_out_of_order_or_too_long_is_refused(string from, string to, string detail) =>
        Assert.Contains(detail, QueryParameters.TryParseRange(from, to, Now, 400, out _), StringComparison.Ordinal);

    [Fact]
    public void Range_of_exactly_the_maximum_is_allowed() =>
        Assert.Null(QueryParameters.TryParseRange("2026-01-01T00:00:00Z", "2027-02-05T00:00:00Z", Now, 400, out _));

    [Theory]
    [InlineData(null, 10, true)]
    [InlineData("1", 1, true)]
    [InlineData("1000", 1000, true)]
    [InlineData("0", 0, false)]
    [InlineData("1001", 0, false)]
    [InlineData("-5", 0, false)]
    [InlineData("5.5", 0, false)]
    [InlineData(" 5", 0, false)]
    public void Limit_is_an_integer_in_range(string? text, int expected, bool ok)
    {
        var error = QueryParameters.TryParseLimit(text, 10, 1000, out var limit);
        Assert.Equal(ok, error is null);
        if (ok)
        {
            Assert.Equal(expected, limit);
        }
    }

    [Fact]
    public void Bucket_cap_refuses_minutes_over_a_month_but_allows_hours()
    {
        var month = new TimeRange(Now.AddDays(-30), Now);
        Assert.Contains("43200 points", QueryParameters.CheckBuckets(month, Granularity.Minute), StringComparison.Ordinal);
        Assert.Null(QueryParameters.CheckBuckets(month, Granularity.Hour));
    }

    [Theory]
    [InlineData("2026-02-28", true)]
    [InlineData("2028-02-29", true)]
    [InlineData("2026-02-29", false)]
    [InlineData("2026-2-1", false)]
    [InlineData(null, false)]
    public void Date_is_a_real_day(string? text, bool ok) =>
        Assert.Equal(ok, QueryParameters.TryParseDate(text, out _) is null);
}
