using Eventide.Core;
using Eventide.Testing;

namespace Eventide.Processor.Tests;

/// <summary>A fresh database migrated with a small shard count, so ownership tests converge fast.</summary>
public abstract class ShardedFixture(int shards) : PostgresFixture
{
    public const string AdminToken = "test-admin-token-0123456789";

    public int Shards { get; } = shards;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await MigrateAsync(Processors());
    }

    /// <summary>Options for a processor on this database: a one-member cluster on a free port and small, quick batches.</summary>
    public EventideOptions Processors(Action<EventideOptions>? configure = null) => Options(o =>
    {
        o.Shards = Shards;
        o.Admin.Token = AdminToken;
        o.Processor.BatchSize = 500;
        o.Processor.FlushIntervalMs = 50;
        configure?.Invoke(o);
    });
}
