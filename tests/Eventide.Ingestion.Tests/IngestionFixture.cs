using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;

namespace Eventide.Ingestion.Tests;

/// <summary>A migrated database of its own with sites "demo" and "other", and the ingestion role serving it.</summary>
public class IngestionFixture : MigratedPostgresFixture
{
    public TestHost Host { get; private set; } = null!;

    public SiteKeys Demo { get; private set; } = null!;

    public SiteKeys Other { get; private set; } = null!;

    public EventideOptions HostOptions { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var sites = new SiteStore(DataSource);
        Demo = await sites.CreateAsync("demo", CancellationToken.None);
        Other = await sites.CreateAsync("other", CancellationToken.None);
        HostOptions = Options(Configure);
        Host = await TestHost.StartAsync(HostOptions);
    }

    public override async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await base.DisposeAsync();
    }

    protected virtual void Configure(EventideOptions options)
    {
        // Rotation is exercised on its own; here it would only add noise.
        options.Ingestion.InboxRotationSeconds = 0;
        // The most the 1 s answer guarantee allows: the test machine is shared and often loaded.
        options.Ingestion.CommitTimeoutMs = 750;
    }
}
