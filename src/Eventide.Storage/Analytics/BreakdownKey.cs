namespace Eventide.Storage.Analytics;

/// <summary>What a breakdown groups by; <see cref="Property"/> is the key for <see cref="BreakdownDimension.Property"/>.</summary>
public sealed record BreakdownKey(BreakdownDimension Dimension, string? Property = null);
