namespace Eventide.Core;

/// <summary>A part of a role that /readyz asks whether it can serve.</summary>
public interface IReadinessCheck
{
    string Name { get; }

    Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken);
}
