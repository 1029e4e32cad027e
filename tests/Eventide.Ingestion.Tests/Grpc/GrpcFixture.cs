using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;

namespace Eventide.Ingestion.Tests.Grpc;

/// <summary>A migrated database of its own with sites "demo" and "other", and the ingestion role serving HTTP and gRPC.</summary>
public sealed class GrpcFixture : MigratedPostgresFixture
{
    public GrpcTestHost Host { get; private set; } = null!;

    public SiteKeys Demo { get; private set; } = null!;

    public SiteKeys Other { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var sites = new SiteStore(DataSource);
        Demo = await sites.CreateAsync("demo", CancellationToken.None);
        Other = await sites.CreateAsync("other", CancellationToken.None);
        Host = await GrpcTestHost.StartAsync(HostOptions());
    }

    /// <summary>The host's options; tests that need other limits start a host of their own with them.</summary>
    public EventideOptions HostOptions(Action<EventideOptions>? configure = null) => Options(o =>
    {
        o.Ingestion.InboxRotationSeconds = 0;
        // The most the 1 s answer guarantee allows: the test machine is shared and often loaded.
        o.Ingestion.CommitTimeoutMs = 750;
        // Tests share the sites' buckets; the rate limit has a test with a host of its own.
        o.Ingestion.RateLimitPerSecond = 0;
        configure?.Invoke(o);
    });

    public override async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await base.DisposeAsync();
    }
}
