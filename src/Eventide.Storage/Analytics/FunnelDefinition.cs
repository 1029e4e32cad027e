namespace Eventide.Storage.Analytics;

/// <summary>A validated funnel: 1–10 steps and a positive window.</summary>
public sealed record FunnelDefinition(IReadOnlyList<FunnelStepMatch> Steps, TimeSpan Window);
