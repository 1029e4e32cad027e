namespace Eventide.Processor.Cluster;

/// <summary>Grouped-within: flush at <see cref="BatchSize"/> events or when the oldest unflushed one has waited <see cref="FlushInterval"/>.</summary>
public readonly record struct BatchPolicy(int BatchSize, TimeSpan FlushInterval);
