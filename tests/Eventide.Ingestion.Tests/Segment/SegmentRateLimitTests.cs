using System.Net;
using Eventide.Core;
using Eventide.Testing;

namespace Eventide.Ingestion.Tests.Segment;

public class SegmentRateLimitTests(SegmentRateLimitTests.TightLimitFixture fx) : IClassFixture<SegmentRateLimitTests.TightLimitFixture>
{
    public sealed class TightLimitFixture : IngestionFixture
    {
        protected override void Configure(EventideOptions options)
        {
            base.Configure(options);
            options.Ingestion.RateLimitPerSecond = 0.5;
            options.Ingestion.RateLimitBurst = 3;
        }
    }

    private static string Batch(IEnumerable<string> ids) =>
        "{\"batch\":[" + string.Join(',', ids.Select(id => $$"""{"type":"track","event":"r","userId":"u","messageId":"{{id}}"}""")) + "]}";

    [Fact]
    public async Task Batch_over_the_site_rate_gets_429_with_retry_after_and_stores_nothing()
    {
        var first = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        Assert.Equal(HttpStatusCode.OK, (await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch", Batch(first), fx.Demo.WriteKey)).StatusCode);

        var second = Enumerable.Range(0, 2).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        var invalid = Guid.NewGuid().ToString("N");
        var body = Batch(second).Replace("]}", $$""",{"type":"track","userId":"u","messageId":"{{invalid}}"}]}""", StringComparison.Ordinal);
        var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch", body, fx.Demo.WriteKey);

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        // Two events at half an event per second from an empty bucket: 4 s, less what refilled meanwhile.
        Assert.InRange(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 3, 4);
        var stored = await InboxReader.EventIdsAsync(fx.DataSource);
        Assert.All(first, id => Assert.Contains(id, stored));
        Assert.All(second, id => Assert.DoesNotContain(id, stored));
        // A refused request leaves no trace: its invalid message is dead-lettered when the SDK retries.
        Assert.DoesNotContain(await SegmentClient.DeadLettersAsync(fx.DataSource, "demo"), d => d.EventId == invalid);
    }
}
