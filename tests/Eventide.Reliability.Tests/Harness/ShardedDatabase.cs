using Eventide.Testing;

namespace Eventide.Reliability.Tests.Harness;

/// <summary>
/// A fresh database (on the PostgreSQL of scripts/test) migrated with 32 shards:
/// enough that each of 3 processors wins some under the rendezvous assignment
/// (with 8, one wins none in about one run of nine), few enough for quick takeovers.
/// </summary>
public class ShardedDatabase : PostgresFixture
{
    public const int Shards = 32;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await MigrateAsync(Options(o => o.Shards = Shards));
    }
}
