namespace Eventide.Core;

public sealed class ProcessorOptions
{
    public int BatchSize { get; set; } = 5000;

    public int FlushIntervalMs { get; set; } = 200;

    public int DedupeWindowHours { get; set; } = 24;

    public int SitePassivationSeconds { get; set; } = 300;

    /// <summary>Batches a processor runs at once, whatever the number of shards it owns (each is one database transaction).</summary>
    public int MaxConcurrentBatches { get; set; } = 4;

    public string? Validate()
    {
        if (BatchSize < 1 || FlushIntervalMs < 1 || DedupeWindowHours < 1)
        {
            return "Eventide:Processor BatchSize, FlushIntervalMs and DedupeWindowHours must be positive";
        }
        if (MaxConcurrentBatches is < 1 or > 64)
        {
            return "Eventide:Processor:MaxConcurrentBatches must be between 1 and 64";
        }
        return null;
    }
}
