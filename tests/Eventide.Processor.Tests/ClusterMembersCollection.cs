namespace Eventide.Processor.Tests;

/// <summary>
/// Classes that run several cluster members at once and wait on their failure
/// detector and hand-offs. On a 2-core machine the other test classes would
/// compete with the members' heartbeats for the CPU and could get a live member
/// marked unreachable, so these run one after another, after the parallel rest.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterMembersCollection
{
    public const string Name = "cluster members";
}
