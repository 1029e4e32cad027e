using System.Diagnostics.Metrics;
using System.Net;
using Eventide.Core;
using Eventide.Ingestion.Tests.Grpc;
using Eventide.Storage;
using Eventide.Testing;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Eventide.Ingestion.Tests;

public class InboxHighWaterTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Theory]
    [InlineData(10, 0, 10, 0.0, false)]
    [InlineData(10, 0, 11, 0.0, true)]
    [InlineData(0, 0, 1_000_000_000, 1e6, false)]
    [InlineData(0, 60, 1, 60.0, false)]
    [InlineData(0, 60, 1, 60.5, true)]
    [InlineData(10, 60, 5, 61.0, true)]
    public void IsOver_compares_each_limit_that_is_set(long events, int ageSeconds, long waiting, double oldest, bool over)
    {
        var options = new IngestionOptions { InboxHighWater = events, InboxHighWaterAgeSeconds = ageSeconds };
        Assert.Equal(over, InboxHighWater.IsOver(options, waiting, oldest));
    }

    [Fact]
    public async Task Intake_over_the_high_water_mark_answers_503_on_http_and_unavailable_on_grpc_until_the_inbox_drains()
    {
        var demo = await new SiteStore(db.DataSource).CreateAsync("hw-" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None);
        var options = db.Options(o =>
        {
            o.Ingestion.InboxRotationSeconds = 0;
            o.Ingestion.CommitTimeoutMs = 750;
            o.Ingestion.RateLimitPerSecond = 0;
            o.Ingestion.GrpcListen = "http://127.0.0.1:0";
            o.Ingestion.InboxHighWater = 10;
            o.Ingestion.InboxHighWaterRefreshMs = 100;
        });
        await using var host = await GrpcTestHost.StartAsync(options);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var exceeded = new MetricCollector<int>(meters, EventideMeter.Name, "eventide_ingestion_inbox_high_water_exceeded");
        using var waiting = new MetricCollector<long>(meters, EventideMeter.Name, "eventide_ingestion_inbox_waiting_events");

        // Twelve events in: over the mark of ten once a reading sees them.
        var first = await PostAsync(host, demo.WriteKey, TestEvent.Valid(12, "in", demo.Site));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var refusedIds = new List<string>();
        var refused = await Eventually.WaitAsync(async () =>
        {
            var events = TestEvent.Valid(3, "out", demo.Site);
            var response = await PostAsync(host, demo.WriteKey, events);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return null;
            }
            refusedIds.AddRange(events.Select(e => e.Id!));
            return response;
        }, r => r is not null, TimeSpan.FromSeconds(20), "a 503 once the reading passed the high-water mark");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused!.StatusCode);
        Assert.Equal(InboxHighWater.RetryAfter, refused.Headers.RetryAfter?.Delta);
        Assert.Contains("InboxHighWater", (await Answers.JsonAsync(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        var grpcEvents = TestEvent.Valid(2, "grpc", demo.Site);
        var unary = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.SendAsync(TestEvent.Batch("hw", grpcEvents), GrpcTestHost.Key(demo.WriteKey)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, unary.StatusCode);
        Assert.Equal("5000", unary.Trailers.GetValue("grpc-retry-pushback-ms"));
        refusedIds.AddRange(grpcEvents.Select(e => e.Id!));

        exceeded.RecordObservableInstruments();
        waiting.RecordObservableInstruments();
        Assert.Equal(1, exceeded.LastMeasurement?.Value);
        Assert.True(waiting.LastMeasurement?.Value >= 12);
        var ready = await ReadinessAsync(host);
        Assert.True(ready.GetProperty("ready").GetBoolean());
        Assert.StartsWith("exceeded", ready.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var inbox = await InboxReader.EventIdsAsync(db.DataSource);
        Assert.Empty(inbox.Intersect(refusedIds));

        // The processors catch up: the inbox empties and intake accepts again.
        await using (var drain = db.DataSource.CreateCommand("DELETE FROM eventide.inbox"))
        {
            await drain.ExecuteNonQueryAsync();
        }
        await Eventually.WaitAsync(async () => (await PostAsync(host, demo.WriteKey, TestEvent.Valid(1, "back", demo.Site))).StatusCode == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(20), "a 202 once the inbox drained");
        exceeded.RecordObservableInstruments();
        Assert.Equal(0, exceeded.LastMeasurement?.Value);
        Assert.StartsWith("below", (await ReadinessAsync(host)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The high-water entry of /readyz, which stays ready whatever the mark says.</summary>
    private static async Task<System.Text.Json.JsonElement> ReadinessAsync(GrpcTestHost host)
    {
        using var response = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Answers.JsonAsync(response)).GetProperty("checks").GetProperty("inbox_high_water");
    }

    private static async Task<HttpResponseMessage> PostAsync(GrpcTestHost host, string key, List<TestEvent> events)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events", UriKind.Relative)) { Content = new StringContent(TestEvent.JsonArray(events)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", key);
        return await host.Http.SendAsync(request);
    }
}
