using System.Net;
using Eventide.Core;
using Eventide.Testing;

namespace Eventide.Ingestion.Tests;

public class RateLimitTests(RateLimitTests.TightLimitFixture fx) : IClassFixture<RateLimitTests.TightLimitFixture>
{
    public sealed class TightLimitFixture : IngestionFixture
    {
        protected override void Configure(EventideOptions options)
        {
            base.Configure(options);
            options.Ingestion.RateLimitPerSecond = 0.5;
            options.Ingestion.RateLimitBurst = 5;
        }
    }

    [Fact]
    public async Task Site_over_its_rate_gets_429_with_retry_after_while_another_site_is_unaffected()
    {
        var five = "[" + string.Join(',', Enumerable.Repeat("{\"site_id\":\"demo\",\"name\":\"r\"}", 5)) + "]";
        Assert.Equal(HttpStatusCode.Accepted, (await fx.Host.PostAsync(fx.Demo.WriteKey, five)).StatusCode);

        var id = "rl-" + Guid.NewGuid().ToString("N");
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, $$"""[{"site_id":"demo","name":"r","event_id":"{{id}}"},{"site_id":"demo","name":"r"}]""");
        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // Two events at half an event per second, from an empty bucket: 4 s, give or take the time already refilled.
        var retry = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retry);
        Assert.InRange(retry.Value.TotalSeconds, 3, 4);
        Assert.Contains("demo", (await Answers.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(id, await InboxReader.EventIdsAsync(fx.DataSource));

        Assert.Equal(HttpStatusCode.Accepted, (await fx.Host.PostAsync(fx.Other.WriteKey, """{"site_id":"other","name":"r"}""")).StatusCode);
    }
}
