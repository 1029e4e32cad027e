using Eventide.Core;
using Eventide.Testing;

namespace Eventide.Storage.Tests;

public class SiteStoreTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task Create_returns_keys_that_resolve_to_the_site_and_stores_only_hashes()
    {
        var store = new SiteStore(db.DataSource);
        var keys = await store.CreateAsync("keys-site", CancellationToken.None);

        Assert.Equal(("keys-site", ApiKeyKind.Write), await store.FindKeyAsync(keys.WriteKey, CancellationToken.None));
        Assert.Equal(("keys-site", ApiKeyKind.Read), await store.FindKeyAsync(keys.ReadKey, CancellationToken.None));
        Assert.Null(await store.FindKeyAsync(keys.WriteKey + "x", CancellationToken.None));

        await using var cmd = db.DataSource.CreateCommand(
            "SELECT count(*) FROM eventide.api_keys WHERE position(convert_to($1, 'UTF8') in key_hash) > 0 OR key_prefix = $1");
        cmd.Parameters.AddWithValue(keys.WriteKey);
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Create_twice_adds_keys_and_lists_the_site_once()
    {
        var store = new SiteStore(db.DataSource);
        await store.CreateAsync("twice", CancellationToken.None);
        await store.CreateAsync("twice", CancellationToken.None);
        var site = Assert.Single(await store.ListAsync(CancellationToken.None), s => s.Site == "twice");
        Assert.Equal(2, site.WriteKeys);
        Assert.Equal(2, site.ReadKeys);
    }

    [Fact]
    public async Task Create_rejects_an_invalid_site_id()
    {
        var store = new SiteStore(db.DataSource);
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync("no spaces", CancellationToken.None));
        Assert.DoesNotContain(await store.ListAsync(CancellationToken.None), s => s.Site == "no spaces");
    }
}
