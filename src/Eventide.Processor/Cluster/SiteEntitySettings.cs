namespace Eventide.Processor.Cluster;

/// <summary>What every site entity on a member shares.</summary>
public sealed record SiteEntitySettings(TimeSpan DedupeWindow, TimeSpan Passivation, int RecentIds, LocalShards Local, TimeProvider Time);
