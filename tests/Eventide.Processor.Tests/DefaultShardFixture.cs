namespace Eventide.Processor.Tests;

public sealed class DefaultShardFixture() : ShardedFixture(64);
