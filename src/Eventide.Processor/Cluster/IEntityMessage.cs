namespace Eventide.Processor.Cluster;

/// <summary>A message addressed to one sharded entity (a site, or a shard's consumer).</summary>
public interface IEntityMessage
{
    string EntityId { get; }
}
