using System.Net;
using System.Text;
using System.Text.Json;
using Eventide.Testing.Dataset;

namespace Eventide.Query.Tests;

/// <summary>Every refusal the query API makes: status, problem+json, and a detail that names the problem.</summary>
public sealed class QueryValidationTests(SmallQueryApiFixture fixture) : IClassFixture<SmallQueryApiFixture>
{
    private const string Range = "from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z";
    private static readonly string Site = EventDataset.SiteIds[0];
    private static readonly string Other = EventDataset.SiteIds[1];

    // (caller, method, url, body, status, fragment of the detail)
    public static TheoryData<string, string, string, string?, int, string> Cases() => new()
    {
        { "none", "GET", $"/v1/sites/{Site}/summary?{Range}", null, 401, "Bearer" },
        { "bogus", "GET", $"/v1/sites/{Site}/summary?{Range}", null, 401, "Bearer" },
        { "none", "GET", $"/v1/sites/{Site}/live", null, 401, "Bearer" },
        { "none", "POST", $"/v1/sites/{Site}/funnel", "{}", 401, "Bearer" },
        { "write", "GET", $"/v1/sites/{Site}/summary?{Range}", null, 403, "Write keys cannot read" },
        { "other-read", "GET", $"/v1/sites/{Site}/timeseries?{Range}", null, 403, Other },
        { "read", "GET", $"/v1/sites/nosuch.example/summary?{Range}", null, 403, "nosuch.example" },
        { "admin", "GET", $"/v1/sites/nosuch.example/summary?{Range}", null, 404, "nosuch.example" },
        { "admin", "GET", $"/v1/sites/nosuch.example/events", null, 404, "nosuch.example" },
        { "read", "GET", $"/v1/sites/{Site}/summary?from=2026-01-05T00:00:00Z", null, 400, "both 'from' and 'to'" },
        { "read", "GET", $"/v1/sites/{Site}/summary?to=2026-01-05T00:00:00Z", null, 400, "both 'from' and 'to'" },
        { "read", "GET", $"/v1/sites/{Site}/summary?from=yesterday&to=2026-01-05T00:00:00Z", null, 400, "'from' must be an RFC 3339" },
        { "read", "GET", $"/v1/sites/{Site}/summary?from=2026-01-05&to=2026-01-06", null, 400, "RFC 3339" },
        { "read", "GET", $"/v1/sites/{Site}/summary?from=2026-01-05T00:00:00Z&to=2026-01-04T00:00:00Z", null, 400, "before 'from'" },
        { "read", "GET", $"/v1/sites/{Site}/breakdown?by=path&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", null, 400, "at most 400 days" },
        { "read", "GET", $"/v1/sites/{Site}/timeseries?interval=week&{Range}", null, 400, "'interval' must be minute, hour or day" },
        { "read", "GET", $"/v1/sites/{Site}/timeseries?interval=minute&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z", null, 400, "43200 points" },
        { "read", "GET", $"/v1/sites/{Site}/summary?limit=0&{Range}", null, 400, "'limit' must be" },
        { "read", "GET", $"/v1/sites/{Site}/breakdown?by=path&limit=1001&{Range}", null, 400, "'limit' must be" },
        { "read", "GET", $"/v1/sites/{Site}/events?limit=ten&{Range}", null, 400, "'limit' must be" },
        { "read", "GET", $"/v1/sites/{Site}/breakdown?by=country&{Range}", null, 400, "'by' must be path, name, referrer, user or property:<key>" },
        { "read", "GET", $"/v1/sites/{Site}/breakdown?by=property:&{Range}", null, 400, "'by' must be" },
        { "read", "GET", $"/v1/sites/{Site}/breakdown?by=path&metric=max:revenue&{Range}", null, 400, "'metric' must be count, sum:<property> or avg:<property>" },
        { "read", "GET", $"/v1/sites/{Site}/timeseries?metric=sum:&{Range}", null, 400, "'metric' must be" },
        { "read", "GET", $"/v1/sites/{Site}/summary?filter=country=DE&{Range}", null, 400, "'filter' must be property:<key>=<value>" },
        { "read", "GET", $"/v1/sites/{Site}/events?filter=property:=DE&{Range}", null, 400, "'filter' must be" },
        { "read", "GET", $"/v1/sites/{Site}/breakdown?by=path&name=&{Range}", null, 400, "'name' must be 1-128" },
        { "read", "GET", $"/v1/sites/{Site}/summary?goal=&{Range}", null, 400, "'goal' must be" },
        { "other-read", "GET", $"/v1/sites/{Site}/live/feed", null, 403, Other },
        { "read", "GET", $"/v1/sites/{Site}/breakdown?{Range}", null, 400, "'by' must be" },
        { "read", "GET", $"/v1/sites/{Site}/events?cursor=not-a-cursor!&{Range}", null, 400, "'cursor'" },
        { "read", "GET", $"/v1/sites/{Site}/live?seconds=0", null, 400, "'seconds'" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", "{not json", 400, "JSON object" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", """{"window":"PT1H"}""", 400, "'steps' must list" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", """{"steps":[{"path":"/"}],"window":"PT1H"}""", 400, "steps[0].name" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", """{"steps":[{"name":"a"}]}""", 400, "'window_seconds'" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", """{"steps":[{"name":"a"}],"window":"PT1H","window_seconds":60}""", 400, "not both" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", """{"steps":[{"name":"a"}],"window":"one hour"}""", 400, "ISO 8601" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", """{"steps":[{"name":"a"}],"window_seconds":0}""", 400, "positive" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", """{"steps":[{"name":"a"}],"window":"PT1H","from":"2026-01-05T00:00:00Z"}""", 400, "both 'from' and 'to'" },
        { "read", "POST", $"/v1/sites/{Site}/funnel", "{\"steps\":[" + string.Join(",", Enumerable.Repeat("{\"name\":\"a\"}", 11)) + "],\"window\":\"PT1H\"}", 400, "1 to 10 steps" },
        { "none", "GET", $"/stats?site_id={Site}&date=2026-01-05", null, 401, "Bearer" },
        { "none", "GET", "/stats?date=2026-01-05", null, 401, "Bearer" },
        { "admin", "GET", "/stats?date=2026-01-05", null, 400, "'site_id' is required" },
        { "admin", "GET", $"/stats?site_id={Site}&date=05/01/2026", null, 400, "YYYY-MM-DD" },
        { "admin", "GET", $"/stats?site_id={Site}&date=2026-02-30", null, 400, "YYYY-MM-DD" },
        { "admin", "GET", "/stats?site_id=nosuch.example&date=2026-01-05", null, 404, "nosuch.example" },
        { "other-read", "GET", $"/stats?site_id={Site}&date=2026-01-05", null, 403, Other },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_request_is_refused_with_a_problem(string caller, string method, string url, string? body, int status, string detail)
    {
        using var http = fixture.Client(Key(caller));
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(url, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{method} {url} as {caller}: expected {status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Allowed() => new()
    {
        { "read", $"/v1/sites/{Site}/summary?{Range}" },
        { "read", $"/v1/sites/{Site}/summary" },
        // An unencoded '+' arrives as a space; the offset is still understood.
        { "read", $"/v1/sites/{Site}/summary?from=2026-01-05T01:00:00+01:00&to=2026-01-05T12:00:00.123456789Z" },
        { "read", $"/v1/sites/{Site}/timeseries?interval=minute&from=2026-01-05T00:00:00Z&to=2026-01-11T22:39:00Z" },
        { "admin", $"/v1/sites/{Site}/breakdown?by=referrer&limit=1000&{Range}" },
        { "read", $"/v1/sites/{Site}/events?limit=1000&{Range}" },
        { "read", $"/v1/sites/{Site}/summary?goal=signup&filter=property:country=DE&filter=property:device=mobile&{Range}" },
        { "read", $"/v1/sites/{Site}/breakdown?by=property:country&metric=avg:revenue&path=/&{Range}" },
        { "read", $"/v1/sites/{Site}/timeseries?metric=sum:revenue&name=purchase&{Range}" },
        { "read", $"/stats?site_id={Site}" },
        { "read", $"/stats?site_id={Site}&date=2026-01-05" },
        { "admin", $"/stats?site_id={Other}&date=2026-01-05" },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public async Task Valid_request_is_answered(string caller, string url)
    {
        using var http = fixture.Client(Key(caller));
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Default_range_is_the_last_24_hours()
    {
        using var doc = JsonDocument.Parse(await fixture.Http.GetStringAsync(new Uri($"/v1/sites/{Site}/summary", UriKind.Relative)));
        var from = doc.RootElement.GetProperty("from").GetDateTimeOffset();
        var to = doc.RootElement.GetProperty("to").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(24), to - from);
        Assert.InRange(DateTimeOffset.UtcNow - to, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Unauthorized_answer_asks_for_a_bearer_token()
    {
        using var http = fixture.Client(null);
        using var response = await http.GetAsync(new Uri($"/v1/sites/{Site}/summary", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    private string? Key(string caller) => caller switch
    {
        "none" => null,
        "bogus" => "evr_not-a-real-key",
        "admin" => QueryApiFixture.AdminToken,
        "read" => fixture.Keys[Site].ReadKey,
        "write" => fixture.Keys[Site].WriteKey,
        "other-read" => fixture.Keys[Other].ReadKey,
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };
}
