using Eventide.Core;

namespace Eventide.Core.Tests;

public class ProcessorOptionsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(64)]
    public void Validate_accepts_concurrent_batches_from_1_to_64(int batches)
    {
        Assert.Null(new ProcessorOptions { MaxConcurrentBatches = batches }.Validate());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65)]
    public void Validate_rejects_concurrent_batches_outside_1_to_64_naming_the_key(int batches)
    {
        var error = new ProcessorOptions { MaxConcurrentBatches = batches }.Validate();
        Assert.NotNull(error);
        Assert.Contains("Eventide:Processor:MaxConcurrentBatches", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(25)]
    [InlineData(100)]
    public void Validate_accepts_a_refresh_share_from_1_to_100_percent(int percent)
    {
        Assert.Null(new ProcessorOptions { AggregateRefreshPercent = percent }.Validate());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(101)]
    public void Validate_rejects_a_refresh_share_outside_1_to_100_naming_the_key(int percent)
    {
        var error = new ProcessorOptions { AggregateRefreshPercent = percent }.Validate();
        Assert.NotNull(error);
        Assert.Contains("Eventide:Processor:AggregateRefreshPercent", error, StringComparison.Ordinal);
    }
}
