using System.Threading.Channels;
using Eventide.Core;
using Eventide.Query.Live;
using Eventide.Testing.Dataset;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eventide.Query.Tests;

public sealed class LiveHubTests(SmallQueryApiFixture fixture) : IClassFixture<SmallQueryApiFixture>
{
    [Fact]
    public async Task Hub_drops_a_consumer_that_does_not_read_while_the_others_keep_receiving()
    {
        var options = new EventideOptions();
        options.Query.LiveBufferMessages = 2;
        using var lifetime = new TestLifetime();
        var hub = new LiveHub(new AnalyticsStore(fixture.DataSource), TimeProvider.System, options, lifetime, NullLogger<LiveHub>.Instance);
        var site = EventDataset.SiteIds[0];
        using var slow = hub.Subscribe(site, LiveKind.Counts);
        using var fast = hub.Subscribe(site, LiveKind.Counts);
        using var other = hub.Subscribe(site, LiveKind.Counts);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // The slow consumer reads nothing: its third message finds its buffer of two full.
        var received = 0;
        while (hub.Dropped == 0)
        {
            await fast.Messages.ReadAsync(cts.Token);
            await other.Messages.ReadAsync(cts.Token);
            received++;
        }
        Assert.True(slow.Dropped.IsCancellationRequested);
        var queued = 0;
        while (slow.Messages.TryRead(out _))
        {
            queued++;
        }
        Assert.Equal(2, queued);
        await Assert.ThrowsAsync<LiveDroppedException>(() => slow.Messages.Completion);
        Assert.Equal(1, hub.Dropped);
        Assert.Equal(2, hub.Subscribers);
        Assert.True(received >= 2, $"{received} messages before the drop");
        // The others go on receiving after the drop.
        for (var i = 0; i < 2; i++)
        {
            await fast.Messages.ReadAsync(cts.Token);
            await other.Messages.ReadAsync(cts.Token);
        }
        Assert.False(fast.Messages.Completion.IsCompleted);
        lifetime.Stop();
        await fast.Messages.Completion.WaitAsync(cts.Token);
    }

    [Fact]
    public void Dropping_a_subscription_whose_connection_already_ended_does_not_throw()
    {
        using var lifetime = new TestLifetime();
        var hub = new LiveHub(new AnalyticsStore(fixture.DataSource), TimeProvider.System, new EventideOptions(), lifetime, NullLogger<LiveHub>.Instance);
        var subscription = hub.Subscribe(EventDataset.SiteIds[2], LiveKind.Counts);
        subscription.Dispose();
        // What the pump does when its offer to a connection that just closed fails.
        subscription.Drop();
        Assert.True(subscription.Messages.Completion.IsCompleted);
    }

    [Fact]
    public async Task Hub_stops_reading_a_site_when_its_last_subscriber_leaves()
    {
        using var lifetime = new TestLifetime();
        var hub = new LiveHub(new AnalyticsStore(fixture.DataSource), TimeProvider.System, new EventideOptions(), lifetime, NullLogger<LiveHub>.Instance);
        using (var first = hub.Subscribe(EventDataset.SiteIds[1], LiveKind.Feed))
        {
            Assert.Equal(1, hub.Subscribers);
        }
        Assert.Equal(0, hub.Subscribers);
        using var again = hub.Subscribe(EventDataset.SiteIds[1], LiveKind.Counts);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.NotNull(await again.Messages.ReadAsync(cts.Token));
        lifetime.Stop();
        await Assert.ThrowsAnyAsync<ChannelClosedException>(async () =>
        {
            while (true)
            {
                await again.Messages.ReadAsync(cts.Token);
            }
        });
    }

    private sealed class TestLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Stop() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
