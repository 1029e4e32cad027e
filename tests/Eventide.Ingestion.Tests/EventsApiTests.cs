using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Eventide.Core;
using Eventide.Testing;

namespace Eventide.Ingestion.Tests;

public class EventsApiTests(IngestionFixture fx) : IClassFixture<IngestionFixture>
{
    private static string NewId() => "t-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Post_single_object_stores_every_field_and_answers_202_with_its_id()
    {
        var id = NewId();
        var before = DateTimeOffset.UtcNow;
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, $$"""
            {"site_id":"demo","name":"pageview","timestamp":"2026-11-20T10:15:30.250+01:00","event_id":"{{id}}",
             "path":"/pricing","referrer":"https://search.example/?q=x","user_id":"u-1","session_id":"s-1",
             "properties":{"plan":"pro","n":3,"tags":["a","b"],"nested":{"ok":true} } }
            """);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await Answers.JsonAsync(response);
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("rejected").GetInt32());
        Assert.Equal([id], Answers.Ids(body));
        Assert.Equal(0, body.GetProperty("errors").GetArrayLength());

        var stored = (await InboxReader.ReadAllAsync(fx.DataSource)).Single(x => x.Event.EventId == id);
        var e = stored.Event;
        Assert.Equal(("demo", "pageview", "/pricing", "https://search.example/?q=x", "u-1", "s-1"), (e.SiteId, e.Name, e.Path, e.Referrer, e.UserId, e.SessionId));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 15, 30, 250, TimeSpan.Zero), e.Timestamp);
        Assert.InRange(e.ReceivedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        using var props = JsonDocument.Parse(e.Properties!);
        Assert.Equal("pro", props.RootElement.GetProperty("plan").GetString());
        Assert.Equal(2, props.RootElement.GetProperty("tags").GetArrayLength());
        Assert.Equal(ShardFunction.ShardOf("demo", fx.HostOptions.Shards), stored.Shard);
    }

    [Fact]
    public async Task Post_without_event_id_or_timestamp_gets_a_uuid_v7_and_the_receive_time()
    {
        var before = DateTimeOffset.UtcNow;
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, """{"site_id":"demo","type":"click"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = Answers.Ids(await Answers.JsonAsync(response)).Single();
        Assert.Equal(7, Guid.Parse(id).Version);
        var e = (await InboxReader.ReadAllAsync(fx.DataSource)).Single(x => x.Event.EventId == id).Event;
        Assert.Equal("click", e.Name);
        Assert.Equal(e.ReceivedAt, e.Timestamp);
        Assert.InRange(e.Timestamp, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Post_partial_batch_stores_the_valid_events_and_reports_each_rejection_by_index()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => NewId()).ToArray();
        var body = $$"""
            [{"site_id":"demo","name":"a","event_id":"{{ids[0]}}"},
             {"site_id":"demo","event_id":"{{ids[1]}}"},
             {"site_id":"demo","name":"c","event_id":"{{ids[2]}}"},
             {"site_id":"demo","name":"d","event_id":"{{ids[3]}}","timestamp":"not a time"},
             {"site_id":"demo","event_type":"e","event_id":"{{ids[4]}}"}]
            """;
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await Answers.JsonAsync(response);
        Assert.Equal(3, json.GetProperty("accepted").GetInt32());
        Assert.Equal(2, json.GetProperty("rejected").GetInt32());
        Assert.Equal([ids[0], ids[2], ids[4]], Answers.Ids(json));
        var errors = json.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(1, "name"), (3, "timestamp")], errors);

        var stored = await InboxReader.EventIdsAsync(fx.DataSource);
        Assert.Subset(stored, new HashSet<string> { ids[0], ids[2], ids[4] });
        Assert.DoesNotContain(ids[1], stored);
        Assert.DoesNotContain(ids[3], stored);
    }

    [Fact]
    public async Task Post_ndjson_accepts_each_line_and_isolates_a_broken_one()
    {
        var a = NewId();
        var c = NewId();
        var body = $"{{\"site_id\":\"demo\",\"name\":\"a\",\"event_id\":\"{a}\"}}\r\n\n{{\"site_id\":\"demo\",\"name\":\"b\"\n{{\"site_id\":\"demo\",\"name\":\"c\",\"event_id\":\"{c}\"}}\n";
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, body, "application/x-ndjson");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await Answers.JsonAsync(response);
        Assert.Equal([a, c], Answers.Ids(json));
        var error = Assert.Single(json.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Contains("not valid JSON", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Subset(await InboxReader.EventIdsAsync(fx.DataSource), new HashSet<string> { a, c });
    }

    [Fact]
    public async Task Post_gzip_body_is_decompressed_and_stored()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => NewId()).ToList();
        var json = "[" + string.Join(',', ids.Select(id => $"{{\"site_id\":\"demo\",\"name\":\"gz\",\"event_id\":\"{id}\"}}")) + "]";
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, Gzip(Encoding.UTF8.GetBytes(json)), encoding: "gzip");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(ids, Answers.Ids(await Answers.JsonAsync(response)));
        Assert.Subset(await InboxReader.EventIdsAsync(fx.DataSource), ids.ToHashSet());
    }

    [Fact]
    public async Task Post_tracker_format_maps_event_type_and_epoch_millis_to_the_same_model()
    {
        var millis = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds();
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey,
            $$"""{"site_id":"demo","event_type":"signup","path":"/join","user_id":"u-42","timestamp":{{millis}}}""", path: "/event");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await Answers.JsonAsync(response);
        Assert.Equal(1, json.GetProperty("accepted").GetInt32());
        var id = Answers.Ids(json).Single();
        var e = (await InboxReader.ReadAllAsync(fx.DataSource)).Single(x => x.Event.EventId == id).Event;
        Assert.Equal(("demo", "signup", "/join", "u-42"), (e.SiteId, e.Name, e.Path, e.UserId));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(millis), e.Timestamp);
    }

    [Fact]
    public async Task Post_tracker_format_needs_the_same_write_key()
    {
        var response = await fx.Host.PostAsync(null, Encoding.UTF8.GetBytes("""{"site_id":"demo","event_type":"x"}"""), path: "/event");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        response = await fx.Host.PostAsync(fx.Other.WriteKey, """{"site_id":"demo","event_type":"x"}""", path: "/event");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Post_with_a_key_of_another_site_is_403_and_stores_nothing()
    {
        var id = NewId();
        var response = await fx.Host.PostAsync(fx.Other.WriteKey, $$"""{"site_id":"demo","name":"x","event_id":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await Answers.JsonAsync(response);
        Assert.Contains("other", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("site_id", json.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.DoesNotContain(id, await InboxReader.EventIdsAsync(fx.DataSource));
    }

    [Fact]
    public async Task Post_batch_naming_two_sites_stores_the_covered_site_and_rejects_the_other_by_index()
    {
        var mine = NewId();
        var theirs = NewId();
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey,
            $$"""[{"site_id":"other","name":"x","event_id":"{{theirs}}"},{"site_id":"demo","name":"x","event_id":"{{mine}}"}]""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await Answers.JsonAsync(response);
        Assert.Equal([mine], Answers.Ids(json));
        var error = Assert.Single(json.GetProperty("errors").EnumerateArray());
        Assert.Equal((0, "site_id"), (error.GetProperty("index").GetInt32(), error.GetProperty("field").GetString()));
        var stored = await InboxReader.EventIdsAsync(fx.DataSource);
        Assert.Contains(mine, stored);
        Assert.DoesNotContain(theirs, stored);
    }

    [Fact]
    public async Task Post_reports_errors_in_index_order_with_each_events_own_errors_together()
    {
        var ok = NewId();
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey,
            $$"""[{"site_id":"demo","name":7,"path":8},{"site_id":"other","name":"x"},{"site_id":"demo","name":"x","event_id":"{{ok}}"},{"site_id":"other","name":"y"}]""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await Answers.JsonAsync(response);
        Assert.Equal([ok], Answers.Ids(json));
        Assert.Equal(3, json.GetProperty("rejected").GetInt32());
        Assert.Equal([(0, "name"), (0, "path"), (1, "site_id"), (3, "site_id")],
            json.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString())).ToList());
    }

    [Fact]
    public async Task Post_without_key_is_401_problem_json_that_says_what_to_send()
    {
        var response = await fx.Host.PostAsync(null, Encoding.UTF8.GetBytes("""{"site_id":"demo","name":"x"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await Answers.JsonAsync(response);
        Assert.Equal(401, json.GetProperty("status").GetInt32());
        Assert.Contains("Authorization: Bearer", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_with_read_key_is_403()
    {
        var response = await fx.Host.PostAsync(fx.Demo.ReadKey, """{"site_id":"demo","name":"x"}""");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("write key", (await Answers.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_over_the_body_limit_is_413_whether_plain_chunked_or_gzip()
    {
        var limit = fx.HostOptions.Ingestion.MaxBodyBytes;
        var big = Encoding.UTF8.GetBytes("[" + new string(' ', limit) + "]");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await fx.Host.PostAsync(fx.Demo.WriteKey, big)).StatusCode);

        using var chunked = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events", UriKind.Relative))
        {
            Content = new StreamContent(new MemoryStream(big)),
        };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.ExpectContinue = true;
        chunked.Headers.Authorization = new("Bearer", fx.Demo.WriteKey);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await fx.Host.Http.SendAsync(chunked)).StatusCode);

        // A gzip bomb: 16 MiB of spaces compress to a few KiB, far under the limit on the wire.
        var bomb = Gzip(Encoding.UTF8.GetBytes("[" + new string(' ', 16 * 1024 * 1024) + "]"));
        Assert.True(bomb.Length < limit);
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, bomb, encoding: "gzip");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("after gzip decompression", (await Answers.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_over_the_event_count_limit_is_413_and_stores_nothing()
    {
        var max = fx.HostOptions.Ingestion.MaxEventsPerRequest;
        var ids = Enumerable.Range(0, max + 1).Select(_ => NewId()).ToList();
        var json = "[" + string.Join(',', ids.Select(id => $"{{\"site_id\":\"demo\",\"name\":\"n\",\"event_id\":\"{id}\"}}")) + "]";
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, json);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"more than {max} events", (await Answers.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await InboxReader.EventIdsAsync(fx.DataSource)).Intersect(ids));

        var exactly = "[" + string.Join(',', ids.Take(max).Select(id => $"{{\"site_id\":\"demo\",\"name\":\"n\",\"event_id\":\"{id}\"}}")) + "]";
        Assert.Equal(HttpStatusCode.Accepted, (await fx.Host.PostAsync(fx.Demo.WriteKey, exactly)).StatusCode);
    }

    [Fact]
    public async Task Post_where_every_event_is_invalid_is_400_with_every_error()
    {
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, """[{"site_id":"demo"},{"name":"x"}]""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await Answers.JsonAsync(response);
        Assert.Equal(2, json.GetProperty("rejected").GetInt32());
        Assert.Equal([(0, "name"), (1, "site_id")],
            json.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString())).ToList());
    }

    [Fact]
    public async Task Concurrent_requests_share_group_commits_and_all_get_their_ids_stored()
    {
        var tasks = Enumerable.Range(0, 40).Select(async i =>
        {
            var ids = Enumerable.Range(0, 5).Select(_ => NewId()).ToList();
            var json = "[" + string.Join(',', ids.Select(id => $"{{\"site_id\":\"demo\",\"name\":\"c{i}\",\"event_id\":\"{id}\"}}")) + "]";
            var response = await fx.Host.PostAsync(fx.Demo.WriteKey, json);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return ids;
        });
        var all = (await Task.WhenAll(tasks)).SelectMany(x => x).ToList();
        var stored = await InboxReader.ReadAllAsync(fx.DataSource);
        var ours = stored.Where(x => all.Contains(x.Event.EventId)).Select(x => x.Event.EventId).ToList();
        Assert.Equal(all.Count, ours.Count);
        Assert.Equal(all.ToHashSet(), ours.ToHashSet());
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }
        return output.ToArray();
    }
}
