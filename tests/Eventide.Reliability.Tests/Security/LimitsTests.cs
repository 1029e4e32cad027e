using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Eventide.Reliability.Tests.Harness;

namespace Eventide.Reliability.Tests.Security;

/// <summary>Oversized headers and bodies are answered with their 4xx and store nothing, the server serving on.</summary>
public class LimitsTests(SecuredPipeline pipeline) : IClassFixture<SecuredPipeline>
{
    private const string Event = """{"site_id":"alpha","name":"big"}""";

    private async Task<HttpStatusCode> PostAsync(Action<HttpRequestMessage> shape, HttpContent content)
    {
        using var http = pipeline.Client(pipeline.Alpha.WriteKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events", UriKind.Relative)) { Content = content };
        shape(request);
        try
        {
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        catch (HttpRequestException ex)
        {
            Assert.Fail($"the server dropped the connection instead of answering: {ex.Message}");
            throw;
        }
    }

    private async Task AssertNothingStoredAndStillServingAsync(long before)
    {
        Assert.Equal(before, await StoredEvents.InboxEventsAsync(pipeline.DataSource) + await StoredEvents.ScalarAsync(pipeline.DataSource, "SELECT count(*) FROM eventide.events"));
        using var ok = await pipeline.PostEventsAsync(pipeline.Alpha.WriteKey, """{"site_id":"alpha","name":"after"}""");
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
    }

    private async Task<long> CountAsync() =>
        await StoredEvents.InboxEventsAsync(pipeline.DataSource) + await StoredEvents.ScalarAsync(pipeline.DataSource, "SELECT count(*) FROM eventide.events");

    [Fact]
    public async Task Huge_header_and_too_many_headers_get_431()
    {
        var before = await CountAsync();
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge,
            await PostAsync(r => r.Headers.Add("X-Padding", new string('a', 64 * 1024)), new StringContent(Event, Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge,
            await PostAsync(r =>
            {
                for (var i = 0; i < 150; i++)
                {
                    r.Headers.Add($"X-H{i}", "v");
                }
            }, new StringContent(Event, Encoding.UTF8, "application/json")));
        await AssertNothingStoredAndStillServingAsync(before);
    }

    [Fact]
    public async Task Body_over_the_limit_plain_or_gzip_gets_413_problem()
    {
        var before = await CountAsync();
        // 2 MiB of valid events: over the 1 MiB body limit.
        var big = "[" + string.Join(',', Enumerable.Repeat("""{"site_id":"alpha","name":"big","path":"/""" + new string('p', 1000) + "\"}", 2048)) + "]";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(_ => { }, new StringContent(big, Encoding.UTF8, "application/json")));

        // A gzip bomb: 64 KiB on the wire, 64 MiB inflated.
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write("["u8);
            var zeros = new byte[1024 * 1024];
            Array.Fill(zeros, (byte)' ');
            for (var i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }
        var bomb = new ByteArrayContent(packed.ToArray());
        bomb.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        bomb.Headers.ContentEncoding.Add("gzip");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(_ => { }, bomb));

        // More events than one request may hold.
        var many = string.Join('\n', Enumerable.Repeat(Event, 1001));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(_ => { }, new StringContent(many, Encoding.UTF8, "application/x-ndjson")));
        await AssertNothingStoredAndStillServingAsync(before);
    }

    [Fact]
    public async Task Huge_url_gets_414_and_the_server_serves_on()
    {
        using var http = pipeline.Client(pipeline.Alpha.ReadKey);
        using var response = await http.GetAsync(new Uri("/v1/sites/alpha/events?name=" + new string('n', 100 * 1024), UriKind.Relative));
        Assert.True(response.StatusCode is HttpStatusCode.RequestUriTooLong or HttpStatusCode.RequestHeaderFieldsTooLarge, $"{response.StatusCode}");
        using var ok = await http.GetAsync(new Uri("/v1/sites/alpha/summary", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
