namespace Eventide.Processor.Tests;

public sealed class SixteenShardFixture() : ShardedFixture(16);
