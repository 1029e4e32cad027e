using Eventide.Core;

namespace Eventide.Core.Tests;

public class RetentionOptionsTests
{
    [Fact]
    public void Validate_accepts_the_defaults()
    {
        Assert.Null(new EventideOptions { Database = { ConnectionString = "Host=x" } }.Validate());
    }

    [Theory]
    [InlineData(30, 30, 7, 48)]
    [InlineData(400, 5, 7, 48)]
    [InlineData(400, 30, 2, 48)]
    [InlineData(400, 30, 7, 0)]
    public void Validate_rejects_unordered_horizons(int days, int refresh, int compress, int latenessHours)
    {
        var r = new RetentionOptions { Days = days, AggregateRefreshDays = refresh, CompressAfterDays = compress, AcceptedLatenessHours = latenessHours };
        Assert.NotNull(r.Validate());
    }
}
