using Eventide.Core;
using Eventide.Server;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.AspNetCore.Builder;

namespace Eventide.Ingestion.Tests.Segment;

/// <summary>A migrated database of its own with site "demo", served by ingestion and processor in one in-process host.</summary>
public sealed class SegmentPipelineFixture : MigratedPostgresFixture
{
    private WebApplication? _app;

    public SiteKeys Demo { get; private set; } = null!;

    public const string AdminToken = "segment-test-admin-token";

    public Uri Address { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Demo = await new SiteStore(DataSource).CreateAsync("demo", CancellationToken.None);
        var options = Options(o =>
        {
            o.Ingestion.InboxRotationSeconds = 0;
            o.Ingestion.CommitTimeoutMs = 750;
            o.Processor.FlushIntervalMs = 50;
            o.Admin.Token = AdminToken;
        });
        _app = EventideHost.Build(options, Role.Ingestion | Role.Processor, "http://127.0.0.1:0");
        await _app.StartAsync();
        Address = LoopbackKestrel.AddressOf(_app);
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public override async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}
