using Eventide.Core;

namespace Eventide.Processor;

/// <summary>
/// Not ready while the member cannot work (no schema yet, session lost and
/// rejoining). A member still joining at start counts as ready, so a
/// processor pod is not held back for the first heartbeat.
/// </summary>
public sealed class ProcessorReadinessCheck(ShardCoordinator coordinator) : IReadinessCheck
{
    public string Name => "processor";

    public Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(
        coordinator.Problem is { } problem ? new ReadinessResult(false, problem)
        : coordinator.Joined ? new ReadinessResult(true, $"member {coordinator.MemberId} owns {coordinator.OwnedShards.Count} of {coordinator.Shards} shards")
        : new ReadinessResult(true, $"member {coordinator.MemberId} is joining"));
}
