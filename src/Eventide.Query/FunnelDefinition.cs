using Eventide.Query.Contracts;

namespace Eventide.Query;

/// <summary>A validated funnel: 1–10 steps and a positive window.</summary>
public sealed record FunnelDefinition(IReadOnlyList<FunnelStep> Steps, TimeSpan Window);
