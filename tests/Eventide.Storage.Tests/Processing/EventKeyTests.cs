using System.Security.Cryptography;
using System.Text;
using Eventide.Storage.Processing;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Processing;

public class EventKeyTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    public static TheoryData<string, string> Pairs() => new()
    {
        { "shop", "0190c8a4-7b3e-7d21-9f00-1a2b3c4d5e6f" },
        { "a", "b" },
        { "site.with-dots_and-dashes", "ordre-n°42-élève-日本語-🎉" },
        { new string('s', 64), new string('\u65e5', 128) },
        { "x", new string('\ud83c', 1) + '\udf89' },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Of_equals_the_sql_function_of_migration_0170(string site, string id)
    {
        await using var cmd = db.DataSource.CreateCommand("SELECT eventide.event_key($1, $2)");
        cmd.Parameters.AddWithValue(site);
        cmd.Parameters.AddWithValue(id);
        Assert.Equal((Guid)(await cmd.ExecuteScalarAsync())!, EventKey.Of(site, id));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Of_is_the_first_16_bytes_of_sha256_of_site_slash_id(string site, string id)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(site + "/" + id));
        Assert.Equal(Convert.ToHexStringLower(digest[..16]), EventKey.Of(site, id).ToString("N"));
    }

    [Fact]
    public void Of_an_id_longer_than_ingestion_accepts_still_hashes_it_whole()
    {
        var id = new string('\u65e5', 5000);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes("s/" + id));
        Assert.Equal(Convert.ToHexStringLower(digest[..16]), EventKey.Of("s", id).ToString("N"));
    }

    [Fact]
    public void Of_differs_when_the_slash_moves_between_site_and_id()
    {
        Assert.NotEqual(EventKey.Of("ab", "c"), EventKey.Of("a", "bc"));
    }
}
