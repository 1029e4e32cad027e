namespace Eventide.Testing;

/// <summary>A fresh database with Eventide's plain-mode schema applied.</summary>
public class MigratedPostgresFixture : PostgresFixture
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await MigrateAsync();
    }
}
