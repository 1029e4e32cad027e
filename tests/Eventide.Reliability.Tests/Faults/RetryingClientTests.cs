using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Faults;

/// <summary>
/// Clients that retry on 503, on their own timeouts and on connection errors, always
/// with the same event ids: each event is stored once although some are committed
/// more than once (an answer lost to a client timeout or a kill -9 of ingestion).
/// </summary>
public class RetryingClientTests(ShardedDatabase db, ITestOutputHelper output) : IClassFixture<ShardedDatabase>
{
    [Fact]
    public Task Retrying_clients_with_the_same_ids_get_every_event_stored_exactly_once() => Bounded.RunAsync(TimeSpan.FromSeconds(150), async () =>
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("retrying", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        var ingestion = await pipeline.StartIngestionAsync();
        var processor = await pipeline.StartProcessorAsync();
        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey)
        {
            Clients = 4,
            MaxRequestsPerClient = 400,
            Retry = true,
            // One attempt in four gives up after a few milliseconds, often after the server
            // committed: the retry then sends events the inbox holds already.
            AttemptTimeout = random => random.Next(4) == 0 ? TimeSpan.FromMilliseconds(2 + random.Next(30)) : TimeSpan.FromSeconds(3),
        };
        var running = load.RunAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => Task.FromResult(load.AcknowledgedCount), n => n >= 3000, TimeSpan.FromSeconds(60), "3000 acknowledged events");
        ingestion.Kill();
        await pipeline.StartIngestionAsync();
        // Every client sends all its batches: the load ends by itself, each batch retried until acknowledged.
        await running;
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));

        output.WriteLine(await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
        Assert.Equal(0, load.Abandoned);
        Assert.Equal(load.Clients * load.MaxRequestsPerClient * load.BatchSize, load.Sent.Count);
        Assert.Equal(load.Sent.Count, load.AcknowledgedCount);
        Assert.True(load.Timeouts > 0, "no attempt timed out: the retries were never exercised");
        var duplicates = await MetricsScrape.DuplicatesAsync(processor);
        output.WriteLine($"the processor dropped {duplicates} duplicate deliveries");
        Assert.True(duplicates > 0, "no retried event reached the processor twice: the dedupe was never exercised");
    });
}
