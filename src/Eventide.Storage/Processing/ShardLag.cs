namespace Eventide.Storage.Processing;

/// <summary>Events waiting in one shard's inbox and the age of the oldest, by the database clock.</summary>
public sealed record ShardLag(int Shard, long Events, double OldestAgeSeconds);
