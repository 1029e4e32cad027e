using System.Net;
using System.Text.Json;

namespace Eventide.Query.Tests;

public sealed class OpenApiTests(SmallQueryApiFixture fixture) : IClassFixture<SmallQueryApiFixture>
{
    public static TheoryData<string, string, string> Operations() => new()
    {
        { "/v1/sites/{site}/summary", "get", "GetSummary" },
        { "/v1/sites/{site}/timeseries", "get", "GetTimeseries" },
        { "/v1/sites/{site}/breakdown", "get", "GetBreakdown" },
        { "/v1/sites/{site}/funnel", "post", "PostFunnel" },
        { "/v1/sites/{site}/events", "get", "ListEvents" },
        { "/v1/sites/{site}/live", "get", "StreamLive" },
        { "/stats", "get", "GetStats" },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task OpenApi_document_names_summarizes_and_types_every_route(string path, string method, string operationId)
    {
        using var client = fixture.Client(null);
        using var doc = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var operation = doc.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        var responses = operation.GetProperty("responses");
        Assert.True(responses.TryGetProperty("200", out var ok));
        Assert.True(ok.TryGetProperty("content", out _), "200 declares its content");
        foreach (var status in new[] { "400", "401", "403", "404" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"{operationId} declares {status}");
        }
    }

    [Fact]
    public async Task OpenApi_schemas_say_what_is_required_and_that_counts_are_integers()
    {
        using var client = fixture.Client(null);
        using var doc = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
        var funnel = schemas.GetProperty("FunnelRequest");
        Assert.Equal(["steps"], funnel.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["name"], schemas.GetProperty("FunnelStep").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("integer", schemas.GetProperty("SummaryResponse").GetProperty("properties").GetProperty("events").GetProperty("type").GetString());
    }

    [Fact]
    public async Task OpenApi_describes_every_parameter_including_filters_metrics_and_goal()
    {
        using var client = fixture.Client(null);
        using var doc = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var parameters = new Dictionary<string, HashSet<string>>();
        var undescribed = new List<string>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var id = operation.Value.GetProperty("operationId").GetString()!;
                parameters[id] = [];
                if (!operation.Value.TryGetProperty("parameters", out var list))
                {
                    continue;
                }
                foreach (var parameter in list.EnumerateArray())
                {
                    var name = parameter.GetProperty("name").GetString()!;
                    parameters[id].Add(name);
                    if (!parameter.TryGetProperty("description", out var d) || string.IsNullOrWhiteSpace(d.GetString()))
                    {
                        undescribed.Add($"{id}.{name}");
                    }
                }
            }
        }
        Assert.Empty(undescribed);
        Assert.Superset(new HashSet<string> { "from", "to", "limit", "name", "path", "filter", "goal" }, parameters["GetSummary"]);
        Assert.Superset(new HashSet<string> { "interval", "metric", "filter" }, parameters["GetTimeseries"]);
        Assert.Superset(new HashSet<string> { "by", "metric", "filter", "limit" }, parameters["GetBreakdown"]);
        Assert.Superset(new HashSet<string> { "filter", "user_id", "session_id", "cursor" }, parameters["ListEvents"]);
        Assert.Superset(new HashSet<string> { "seconds" }, parameters["StreamLive"]);
        Assert.True(parameters.ContainsKey("StreamLiveFeed"));
    }

    [Fact]
    public async Task Docs_page_is_served_from_the_binary()
    {
        using var client = fixture.Client(null);
        using var index = await client.GetAsync(new Uri("/docs/index.html", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        var html = await index.Content.ReadAsStringAsync();
        Assert.Contains("swagger-ui", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        using var config = await client.GetAsync(new Uri("/docs/index.js", UriKind.Relative));
        Assert.Contains("/openapi/v1.json", await config.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var bundle = await client.GetAsync(new Uri("/docs/swagger-ui-bundle.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
    }
}
