using Eventide.Core;

namespace Eventide.Processor;

/// <summary>Ready once the member has joined (registered and heartbeating).</summary>
public sealed class ProcessorReadinessCheck(ShardCoordinator coordinator) : IReadinessCheck
{
    public string Name => "processor";

    public Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(coordinator.Joined
        ? new ReadinessResult(true, $"member {coordinator.MemberId} owns {coordinator.OwnedShards.Count} of {coordinator.Shards} shards")
        : new ReadinessResult(false, "not joined yet (waiting for the database or the schema)"));
}
