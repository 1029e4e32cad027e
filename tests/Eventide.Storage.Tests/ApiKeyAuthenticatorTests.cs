using Eventide.Storage.Auth;
using Eventide.Testing;

namespace Eventide.Storage.Tests;

public class ApiKeyAuthenticatorTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task Authenticate_resolves_keys_admin_and_strangers()
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("auth-a", CancellationToken.None);
        var auth = new ApiKeyAuthenticator(db.DataSource, db.Options(o => o.Admin.Token = "s3cret-admin"));

        var writer = await auth.AuthenticateHeaderAsync("Bearer " + keys.WriteKey, CancellationToken.None);
        var reader = await auth.AuthenticateHeaderAsync("bearer " + keys.ReadKey, CancellationToken.None);
        var admin = await auth.AuthenticateHeaderAsync("Bearer s3cret-admin", CancellationToken.None);

        Assert.True(writer.CanWrite("auth-a"));
        Assert.False(writer.CanWrite("auth-b"));
        Assert.False(writer.CanRead("auth-a"));
        Assert.True(reader.CanRead("auth-a"));
        Assert.False(reader.CanRead("auth-b"));
        Assert.False(reader.CanWrite("auth-a"));
        Assert.True(admin.CanRead("anything"));
        Assert.False(admin.CanWrite("anything"));
        Assert.Equal(CallerKind.None, (await auth.AuthenticateHeaderAsync("Bearer nope", CancellationToken.None)).Kind);
        Assert.Equal(CallerKind.None, (await auth.AuthenticateHeaderAsync(keys.WriteKey, CancellationToken.None)).Kind);
        Assert.Equal(CallerKind.None, (await auth.AuthenticateHeaderAsync(null, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Repeated_tokens_answer_from_the_cache_as_the_first_time()
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("auth-c", CancellationToken.None);
        var auth = new ApiKeyAuthenticator(db.DataSource, db.Options(o => o.Admin.Token = "s3cret-admin"));

        for (var i = 0; i < 3; i++)
        {
            // The admin token is cached like a key once checked, and caching it makes nothing else admin.
            Assert.Equal(CallerKind.Admin, (await auth.AuthenticateAsync("s3cret-admin", CancellationToken.None)).Kind);
            Assert.True((await auth.AuthenticateAsync(keys.WriteKey, CancellationToken.None)).CanWrite("auth-c"));
            Assert.Equal(CallerKind.None, (await auth.AuthenticateAsync("s3cret-admin ", CancellationToken.None)).Kind);
            Assert.Equal(CallerKind.None, (await auth.AuthenticateAsync("S3CRET-ADMIN", CancellationToken.None)).Kind);
        }
    }

    [Fact]
    public async Task Authenticate_with_empty_admin_token_never_grants_admin()
    {
        var auth = new ApiKeyAuthenticator(db.DataSource, db.Options());
        Assert.Equal(CallerKind.None, (await auth.AuthenticateHeaderAsync("Bearer ", CancellationToken.None)).Kind);
        Assert.Equal(CallerKind.None, (await auth.AuthenticateAsync("", CancellationToken.None)).Kind);
    }
}
