using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Eventide.Ingestion.Tests.Segment;

public class SegmentApiTests(IngestionFixture fx) : IClassFixture<IngestionFixture>
{
    private static string NewId() => "seg-" + Guid.NewGuid().ToString("N");

    private async Task<Dictionary<string, EventRecord>> InboxByIdAsync() =>
        (await InboxReader.ReadAllAsync(fx.DataSource)).GroupBy(x => x.Event.EventId).ToDictionary(g => g.Key, g => g.Last().Event);

    private static JsonObject Properties(EventRecord e) => JsonNode.Parse(e.Properties!)!.AsObject();

    [Fact]
    public async Task Batch_with_basic_auth_maps_track_page_and_identify_with_skew_corrected_timestamps()
    {
        var (track, page, identify) = (NewId(), NewId(), NewId());
        // The client's clock runs 10 minutes fast: its timestamps and sentAt both carry the error.
        var clientNow = DateTimeOffset.UtcNow.AddMinutes(10);
        var trackAt = clientNow.AddSeconds(-30);
        var body = $$$$"""
            {"batch":[
              {"type":"track","messageId":"{{{{track}}}}","event":"Signed Up","userId":"u-1","anonymousId":"a-1","timestamp":"{{{{trackAt:O}}}}",
               "properties":{"plan":"pro","seats":3},"context":{"library":{"name":"analytics-node","version":"3.1.0"},"ip":"10.0.0.1"}},
              {"type":"page","messageId":"{{{{page}}}}","anonymousId":"a-2","name":"Pricing","timestamp":"{{{{clientNow:O}}}}",
               "properties":{"title":"Pricing"},"context":{"page":{"path":"/pricing","referrer":"https://search.example/?q=x"}}},
              {"type":"identify","messageId":"{{{{identify}}}}","userId":"u-3","traits":{"email":"a@example.com","plan":"pro"}}
            ],"sentAt":"{{{{clientNow:O}}}}"}
            """;
        var before = DateTimeOffset.UtcNow;
        var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch", body, fx.Demo.WriteKey);
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await Answers.JsonAsync(response);
        Assert.True(answer.GetProperty("success").GetBoolean());
        Assert.False(answer.TryGetProperty("rejected", out _));
        var inbox = await InboxByIdAsync();

        var t = inbox[track];
        Assert.Equal(("demo", "Signed Up", "u-1"), (t.SiteId, t.Name, t.UserId));
        Assert.InRange(t.Timestamp, before.AddSeconds(-30).AddMilliseconds(-1), after.AddSeconds(-30).AddMilliseconds(1));
        var tp = Properties(t);
        Assert.Equal("pro", (string?)tp["plan"]);
        Assert.Equal(3, (int?)tp["seats"]);
        Assert.Equal("analytics-node", (string?)tp["context"]!["library"]!["name"]);
        Assert.Equal("10.0.0.1", (string?)tp["context"]!["ip"]);
        Assert.Equal("a-1", (string?)tp["anonymousId"]);

        var p = inbox[page];
        Assert.Equal(("pageview", "/pricing", "https://search.example/?q=x", "a-2"), (p.Name, p.Path, p.Referrer, p.UserId));
        Assert.InRange(p.Timestamp, before.AddMilliseconds(-1), after.AddMilliseconds(1));
        var pp = Properties(p);
        Assert.Equal("Pricing", (string?)pp["title"]);
        Assert.Equal("Pricing", (string?)pp["name"]);
        Assert.Equal("/pricing", (string?)pp["context"]!["page"]!["path"]);

        var i = inbox[identify];
        Assert.Equal(("$identify", "u-3"), (i.Name, i.UserId));
        Assert.Equal("a@example.com", (string?)Properties(i)["email"]);
        // Without a timestamp the event is stamped with the receive time.
        Assert.InRange(i.Timestamp, before.AddMilliseconds(-1), after.AddMilliseconds(1));
    }

    [Theory]
    [InlineData("/v1/track", """{"event":"Clicked","userId":"u","properties":{"path":"/a"}}""", "Clicked", "/a")]
    [InlineData("/v1/page", """{"anonymousId":"u","properties":{"path":"/p","referrer":"https://r.example/"}}""", "pageview", "/p")]
    [InlineData("/v1/screen", """{"userId":"u","name":"Home"}""", "screen_view", null)]
    [InlineData("/v1/identify", """{"userId":"u","traits":{"name":"Ada"}}""", "$identify", null)]
    [InlineData("/v1/group", """{"userId":"u","groupId":"g-1","traits":{"name":"Acme"}}""", "$group", null)]
    [InlineData("/v1/alias", """{"userId":"u","previousId":"anon-9"}""", "$alias", null)]
    public async Task Single_message_endpoint_stores_its_type(string path, string message, string name, string? expectedPath)
    {
        var id = NewId();
        var body = message.Insert(1, $"\"messageId\":\"{id}\",\"writeKey\":\"{fx.Demo.WriteKey}\",");
        var response = await SegmentClient.PostAsync(fx.Host.Http, path, body, basicKey: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"success":true}""", await response.Content.ReadAsStringAsync());
        var e = (await InboxByIdAsync())[id];
        Assert.Equal((name, "u", expectedPath), (e.Name, e.UserId, e.Path));
        var properties = Properties(e);
        switch (path)
        {
            case "/v1/screen":
                Assert.Equal("Home", (string?)properties["name"]);
                break;
            case "/v1/identify":
                Assert.Equal("Ada", (string?)properties["name"]);
                break;
            case "/v1/group":
                Assert.Equal(("Acme", "g-1"), ((string?)properties["name"], (string?)properties["groupId"]));
                break;
            case "/v1/alias":
                Assert.Equal("anon-9", (string?)properties["previousId"]);
                break;
            case "/v1/page":
                Assert.Equal("https://r.example/", e.Referrer);
                break;
            default:
                break;
        }
    }

    [Fact]
    public async Task Write_key_in_the_body_works_without_an_authorization_header()
    {
        var id = NewId();
        var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch",
            $$"""{"writeKey":"{{fx.Other.WriteKey}}","batch":[{"type":"track","event":"e","userId":"u","messageId":"{{id}}"}]}""", basicKey: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("other", (await InboxByIdAsync())[id].SiteId);
    }

    [Theory]
    [InlineData("evw_unknownunknownunknownunknown", false)]
    [InlineData(null, false)]
    [InlineData("evw_unknownunknownunknownunknown", true)]
    public async Task Missing_or_unknown_write_key_gets_401_and_stores_nothing(string? key, bool inBody)
    {
        var id = NewId();
        var writeKey = inBody ? $"\"writeKey\":\"{key}\"," : "";
        var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch",
            $$"""{{{writeKey}}"batch":[{"type":"track","event":"e","userId":"u","messageId":"{{id}}"}]}""", inBody ? null : key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Basic username", (await Answers.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(id, await InboxReader.EventIdsAsync(fx.DataSource));
    }

    [Fact]
    public async Task Read_key_gets_403()
    {
        var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/track", """{"event":"e","userId":"u"}""", fx.Demo.ReadKey);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    public static TheoryData<string, string, string> UnusableRequests => new()
    {
        { "/v1/batch", "not json at all", "not JSON" },
        { "/v1/batch", """{"batch":[]}""", "no messages" },
        { "/v1/batch", """{"sentAt":"2026-01-01T00:00:00Z"}""", "no \"batch\" array" },
        { "/v1/batch", """[{"type":"track"}]""", "JSON object" },
        { "/v1/track", """["e"]""", "one message" },
        { "/v1/batch", """{"batch":[{"type":"track","event":"e","userId":"u","properties":{"pad":"PAD"}}]}""".Replace("PAD", new string('x', 600 * 1024), StringComparison.Ordinal), "500" },
    };

    [Theory]
    [MemberData(nameof(UnusableRequests))]
    public async Task Unusable_request_gets_400_and_stores_nothing(string path, string body, string detail)
    {
        var inboxBefore = (await InboxReader.ReadAllAsync(fx.DataSource)).Count;
        var deadBefore = (await SegmentClient.DeadLettersAsync(fx.DataSource, "demo")).Count;
        var response = await SegmentClient.PostAsync(fx.Host.Http, path, body, fx.Demo.WriteKey);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, (await Answers.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(inboxBefore, (await InboxReader.ReadAllAsync(fx.DataSource)).Count);
        Assert.Equal(deadBefore, (await SegmentClient.DeadLettersAsync(fx.DataSource, "demo")).Count);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", null)]
    [InlineData("text/plain", "gzip")]
    [InlineData("application/json", "gzip")]
    public async Task Gzip_body_is_accepted_whatever_the_content_type(string contentType, string? encoding)
    {
        var id = NewId();
        var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch",
            $$"""{"batch":[{"type":"track","event":"zipped","userId":"u","messageId":"{{id}}"}]}""", fx.Demo.WriteKey,
            contentType, gzip: true, contentEncoding: encoding);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("zipped", (await InboxByIdAsync())[id].Name);
    }

    [Fact]
    public async Task Mixed_batch_stores_valid_messages_and_dead_letters_each_invalid_one_once_across_retries()
    {
        var (ok1, ok2, noEvent, future, bigProps) = (NewId(), NewId(), NewId(), NewId(), NewId());
        var futureAt = DateTimeOffset.UtcNow.AddDays(2);
        var messages = new[]
        {
            $$"""{"type":"track","event":"ok","userId":"u","messageId":"{{ok1}}"}""",
            $$"""{"type":"track","userId":"u","messageId":"{{noEvent}}"}""",
            $$"""{"type":"page","anonymousId":"a","messageId":"{{ok2}}"}""",
            $$"""{"type":"track","event":"late","userId":"u","messageId":"{{future}}","timestamp":"{{futureAt:O}}"}""",
            """{"type":"bogus","userId":"u"}""",
            $$$"""{"type":"track","event":"big","userId":"u","messageId":"{{{bigProps}}}","properties":{"pad":"{{{new string('x', 20 * 1024)}}}"}}""",
            $$$"""{"type":"track","event":"huge","userId":"u","properties":{"pad":"{{{new string('y', 40 * 1024)}}}"}}""",
        };
        var body = "{\"batch\":[" + string.Join(',', messages) + "]}";
        var expected = new[] { (1, noEvent, "event"), (3, future, "timestamp"), (4, (string?)null, "type"), (5, bigProps, "properties"), (6, null, "32768") };

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch", body, fx.Demo.WriteKey, retryCount: attempt == 0 ? null : attempt);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = await Answers.JsonAsync(response);
            Assert.True(answer.GetProperty("success").GetBoolean());
            var rejected = answer.GetProperty("rejected").EnumerateArray().ToList();
            Assert.Equal(expected.Select(x => x.Item1), rejected.Select(r => r.GetProperty("index").GetInt32()));
            Assert.Equal(expected.Select(x => x.Item2), rejected.Select(r => r.GetProperty("messageId").GetString()));
            foreach (var (r, x) in rejected.Zip(expected))
            {
                Assert.Contains(x.Item3, r.GetProperty("reason").GetString(), StringComparison.Ordinal);
            }
        }

        var inbox = await InboxReader.ReadAllAsync(fx.DataSource);
        Assert.Equal(2, inbox.Count(x => x.Event.EventId == ok1));
        Assert.Equal(2, inbox.Count(x => x.Event.EventId == ok2));
        Assert.DoesNotContain(inbox, x => x.Event.EventId == noEvent || x.Event.EventId == future || x.Event.EventId == bigProps);

        var mine = (await SegmentClient.DeadLettersAsync(fx.DataSource, "demo"))
            .Where(d => d.Payload.Contains("bogus", StringComparison.Ordinal) || d.Payload.Contains("\"huge\"", StringComparison.Ordinal)
                || new[] { noEvent, future, bigProps }.Contains(d.EventId))
            .ToList();
        Assert.Equal(5, mine.Count);
        foreach (var (index, id, _) in expected)
        {
            var row = id is null
                ? mine.Single(d => d.Payload.Contains(index == 4 ? "bogus" : "\"huge\"", StringComparison.Ordinal))
                : mine.Single(d => d.EventId == id);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(messages[index]), JsonNode.Parse(row.Payload)), $"payload of message {index}");
            Assert.False(string.IsNullOrWhiteSpace(row.Error));
        }
        // Messages without a messageId are found again by their content's digest.
        Assert.All(mine.Where(d => d.Payload.Contains("bogus", StringComparison.Ordinal)), d => Assert.StartsWith("sha256:", d.EventId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_of_only_invalid_messages_is_answered_200_and_dead_lettered()
    {
        var id = NewId();
        var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/track", $$"""{"messageId":"{{id}}","event":"","userId":"u"}""", fx.Demo.WriteKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rejected = (await Answers.JsonAsync(response)).GetProperty("rejected");
        Assert.Equal(id, rejected[0].GetProperty("messageId").GetString());
        Assert.Single(await SegmentClient.DeadLettersAsync(fx.DataSource, "demo"), d => d.EventId == id);
    }

    [Fact]
    public async Task Message_jsonb_cannot_hold_is_dead_lettered_as_its_text()
    {
        var id = NewId();
        var message = $$$"""{"messageId":"{{{id}}}","event":"nul","userId":"u","properties":{"bad":"a\u0000b"}}""";
        var response = await SegmentClient.PostAsync(fx.Host.Http, "/v1/track", message, fx.Demo.WriteKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Assert.Single(await SegmentClient.DeadLettersAsync(fx.DataSource, "demo"), d => d.EventId == id);
        Assert.Equal(message, JsonSerializer.Deserialize<string>(row.Payload));
    }

    [Fact]
    public async Task Dead_letters_that_cannot_be_committed_get_503_and_nothing_is_stored_until_a_retry_succeeds()
    {
        var site = "faulty-" + Guid.NewGuid().ToString("N")[..8];
        var keys = await new SiteStore(fx.DataSource).CreateAsync(site, CancellationToken.None);
        // One accepted message first, so that the key is cached: on a busy machine the first
        // lookup of a new key can miss its budget and answer the write-key 503 instead.
        var warm = await SegmentClient.PostAsync(fx.Host.Http, "/v1/track", $$"""{"event":"warm","userId":"u","messageId":"{{NewId()}}"}""", keys.WriteKey);
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        // A real database error on the dead-letter insert, for this site only.
        await using (var fault = fx.DataSource.CreateCommand($$$"""
            CREATE FUNCTION eventide.test_refuse_dead_letters() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'dead letters refused by the test'; END $$;
            CREATE TRIGGER test_refuse_dead_letters BEFORE INSERT ON eventide.dead_letters
            FOR EACH ROW WHEN (NEW.site_id = '{{{site}}}') EXECUTE FUNCTION eventide.test_refuse_dead_letters();
            """))
        {
            await fault.ExecuteNonQueryAsync();
        }
        var (ok, bad) = (NewId(), NewId());
        var body = $$"""{"batch":[{"type":"track","event":"ok","userId":"u","messageId":"{{ok}}"},{"type":"track","userId":"u","messageId":"{{bad}}"}]}""";

        var refused = await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch", body, keys.WriteKey, retryUnavailable: false);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("dead letters", (await Answers.JsonAsync(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ok, await InboxReader.EventIdsAsync(fx.DataSource));
        Assert.Empty(await SegmentClient.DeadLettersAsync(fx.DataSource, site));

        await using (var heal = fx.DataSource.CreateCommand("DROP TRIGGER test_refuse_dead_letters ON eventide.dead_letters; DROP FUNCTION eventide.test_refuse_dead_letters()"))
        {
            await heal.ExecuteNonQueryAsync();
        }
        var retried = await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch", body, keys.WriteKey, retryCount: 1);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Contains(ok, await InboxReader.EventIdsAsync(fx.DataSource));
        Assert.Equal(bad, Assert.Single(await SegmentClient.DeadLettersAsync(fx.DataSource, site)).EventId);
    }

    [Fact]
    public async Task Dead_letter_metric_counts_each_message_once_across_retries()
    {
        using var counted = new MetricCollector<long>(
            fx.Host.Services.GetRequiredService<IMeterFactory>(), EventideMeter.Name, "eventide_ingestion_segment_dead_letters");
        var body = $$"""{"batch":[{"type":"track","userId":"u","messageId":"{{NewId()}}"},{"type":"track","event":"e","userId":"u","messageId":"{{NewId()}}","timestamp":"1999-01-01T00:00:00Z"}]}""";

        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SegmentClient.PostAsync(fx.Host.Http, "/v1/batch", body, fx.Demo.WriteKey)).StatusCode);
        }

        // The collector sees this class's host only, and its tests run one at a time.
        Assert.Equal(["invalid:1", "too_old:1"],
            counted.GetMeasurementSnapshot().Select(m => $"{m.Tags["reason"]}:{m.Value}").Order(StringComparer.Ordinal));
    }
}
