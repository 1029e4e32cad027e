namespace Eventide.Processor.Tests;

public sealed class EightShardFixture() : ShardedFixture(8);
