using System.Net;
using System.Text.Json;
using Eventide.Core;

namespace Eventide.Reliability.Tests.Security;

/// <summary>Keys only do what they are for: a site's write key writes that site, a read key never writes.</summary>
public class AccessTests(SecuredPipeline pipeline) : IClassFixture<SecuredPipeline>
{
    [Fact]
    public async Task Write_key_of_site_A_is_refused_for_site_B_and_nothing_of_B_is_stored()
    {
        using var refused = await pipeline.PostEventsAsync(pipeline.Alpha.WriteKey, """[{"site_id":"beta","name":"intruder","event_id":"x-1"}]""");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        // In a mixed batch only the key's own site is taken; the other event is rejected with its reason.
        using var mixed = await pipeline.PostEventsAsync(pipeline.Alpha.WriteKey,
            """[{"site_id":"alpha","name":"own","event_id":"x-2"},{"site_id":"beta","name":"intruder","event_id":"x-3"}]""");
        Assert.Equal(HttpStatusCode.Accepted, mixed.StatusCode);
        using var answer = JsonDocument.Parse(await mixed.Content.ReadAsStringAsync());
        Assert.Equal(["x-2"], answer.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, answer.RootElement.GetProperty("errors")[0].GetProperty("index").GetInt32());

        Assert.Empty(await pipeline.EventsOfAsync("beta"));
        Assert.Contains(await pipeline.EventsOfAsync("alpha"), e => e.EventId == "x-2");
    }

    [Theory]
    [InlineData("/v1/events")]
    [InlineData("/event")]
    public async Task Read_key_cannot_write(string path)
    {
        using var response = await pipeline.PostEventsAsync(pipeline.Alpha.ReadKey, """{"site_id":"alpha","name":"by-reader","event_id":"r-1"}""", path);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(await pipeline.EventsOfAsync("alpha"), e => e.EventId == "r-1");
    }

    [Fact]
    public async Task Unknown_missing_and_admin_credentials_cannot_write()
    {
        var body = """{"site_id":"alpha","name":"nobody","event_id":"n-1"}""";
        using (var none = await pipeline.PostEventsAsync(null, body))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        }
        using (var unknown = await pipeline.PostEventsAsync(ApiKey.Generate(ApiKeyKind.Write), body))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }
        using (var admin = await pipeline.PostEventsAsync(Harness.Pipeline.AdminToken, body))
        {
            Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        }
        Assert.DoesNotContain(await pipeline.EventsOfAsync("alpha"), e => e.EventId == "n-1");
    }

    [Fact]
    public async Task Read_key_reads_only_its_own_site_and_a_write_key_reads_nothing()
    {
        using var own = pipeline.Client(pipeline.Alpha.ReadKey);
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync(new Uri("/v1/sites/alpha/summary", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await own.GetAsync(new Uri("/v1/sites/beta/summary", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await own.GetAsync(new Uri("/v1/sites/beta/events", UriKind.Relative))).StatusCode);
        using var writer = pipeline.Client(pipeline.Alpha.WriteKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync(new Uri("/v1/sites/alpha/summary", UriKind.Relative))).StatusCode);
    }
}
