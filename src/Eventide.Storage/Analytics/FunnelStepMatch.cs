namespace Eventide.Storage.Analytics;

/// <summary>One validated funnel step: events with this name and, when given, this exact path.</summary>
public sealed record FunnelStepMatch(string Name, string? Path);
