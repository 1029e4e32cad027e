using Eventide.Core;

namespace Eventide.Core.Tests;

public class ProcessorOptionsTests
{
    /// <summary>Each bounded setting at its limits and just past them: (setting, value, valid).</summary>
    public static TheoryData<string, int, bool> Bounds => new()
    {
        { nameof(ProcessorOptions.MaxConcurrentBatches), 1, true },
        { nameof(ProcessorOptions.MaxConcurrentBatches), 4, true },
        { nameof(ProcessorOptions.MaxConcurrentBatches), 64, true },
        { nameof(ProcessorOptions.MaxConcurrentBatches), 0, false },
        { nameof(ProcessorOptions.MaxConcurrentBatches), -1, false },
        { nameof(ProcessorOptions.MaxConcurrentBatches), 65, false },
        { nameof(ProcessorOptions.AggregateRefreshPercent), 1, true },
        { nameof(ProcessorOptions.AggregateRefreshPercent), 25, true },
        { nameof(ProcessorOptions.AggregateRefreshPercent), 100, true },
        { nameof(ProcessorOptions.AggregateRefreshPercent), 0, false },
        { nameof(ProcessorOptions.AggregateRefreshPercent), -5, false },
        { nameof(ProcessorOptions.AggregateRefreshPercent), 101, false },
        { nameof(ProcessorOptions.MaxActiveSites), 0, true },
        { nameof(ProcessorOptions.MaxActiveSites), 10_000, true },
        { nameof(ProcessorOptions.MaxActiveSites), -1, false },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Validate_accepts_a_setting_within_its_range_and_names_the_key_of_one_outside(string setting, int value, bool valid)
    {
        var options = setting switch
        {
            nameof(ProcessorOptions.MaxConcurrentBatches) => new ProcessorOptions { MaxConcurrentBatches = value },
            nameof(ProcessorOptions.AggregateRefreshPercent) => new ProcessorOptions { AggregateRefreshPercent = value },
            nameof(ProcessorOptions.MaxActiveSites) => new ProcessorOptions { MaxActiveSites = value },
            _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, null),
        };

        var error = options.Validate();

        if (valid)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.NotNull(error);
            Assert.Contains($"Eventide:Processor:{setting}", error, StringComparison.Ordinal);
        }
    }
}
