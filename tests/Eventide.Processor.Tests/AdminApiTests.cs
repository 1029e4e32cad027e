using System.Net;
using System.Text.Json;
using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Processor.Tests;

public class AdminApiTests(DefaultShardFixture db) : IClassFixture<DefaultShardFixture>
{
    [Fact]
    public async Task Poison_event_is_dead_lettered_the_rest_stored_and_replay_stores_it_once_fixed()
    {
        await using var host = await ProcessorHost.StartAsync(db.Processors());
        var site = "dl-site";
        var time = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60);
        var events = Enumerable.Range(0, 9).Select(i => InboxTestWriter.Event(site, $"ok-{i}", time.AddSeconds(i))).ToList();
        events.Insert(3, InboxTestWriter.Event(site, "poison", time, """{"bad":"\u0000"}"""));
        await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, events);
        await Eventually.WaitAsync(async () => await Db.InboxEventsAsync(db.DataSource) == 0, TimeSpan.FromSeconds(20), "the inbox to drain");
        Assert.Equal(9, await Db.EventCountAsync(db.DataSource));

        using var list = await host.Http.SendAsync(AdminRequest.Create(HttpMethod.Get, "/v1/admin/dead-letters?limit=10"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var dead = Assert.Single(listed.RootElement.GetProperty("dead_letters").EnumerateArray());
        var id = dead.GetProperty("id").GetInt64();
        Assert.Equal("poison", dead.GetProperty("event_id").GetString());
        Assert.Equal(site, dead.GetProperty("payload").GetProperty("site_id").GetString());
        Assert.Contains("Unicode", dead.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);

        // Still invalid: it stays, with the replay's error.
        using (var replay = await host.Http.SendAsync(AdminRequest.Create(HttpMethod.Post, "/v1/admin/dead-letters/replay", body: new { ids = new[] { id } })))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            using var body = JsonDocument.Parse(await replay.Content.ReadAsStringAsync());
            Assert.Empty(body.RootElement.GetProperty("replayed").EnumerateArray());
            Assert.Equal(id, body.RootElement.GetProperty("failed")[0].GetProperty("id").GetInt64());
            Assert.Equal(1, body.RootElement.GetProperty("remaining").GetInt64());
        }
        Assert.Contains("\\u0000", await Db.DeadLetterErrorAsync(db.DataSource, id), StringComparison.Ordinal);

        // An operator fixes the payload; replay then stores it through the inbox, once.
        await using (var fix = db.DataSource.CreateCommand(
            """UPDATE eventide.dead_letters SET payload = jsonb_set(payload, '{properties}', '"{\"bad\":\"fixed\"}"') WHERE id = $1"""))
        {
            fix.Parameters.AddWithValue(id);
            await fix.ExecuteNonQueryAsync();
        }
        using (var replay = await host.Http.SendAsync(AdminRequest.Create(HttpMethod.Post, "/v1/admin/dead-letters/replay", body: new { })))
        {
            using var body = JsonDocument.Parse(await replay.Content.ReadAsStringAsync());
            Assert.Equal([id], body.RootElement.GetProperty("replayed").EnumerateArray().Select(e => e.GetInt64()));
            Assert.Equal(0, body.RootElement.GetProperty("remaining").GetInt64());
        }
        await Eventually.WaitAsync(async () => await Db.EventCountAsync(db.DataSource) == 10, TimeSpan.FromSeconds(20), "the replayed event to be stored");
        Assert.Equal("fixed", await ScalarTextAsync("SELECT properties->>'bad' FROM eventide.events WHERE event_id = 'poison'"));

        // Replaying it again goes through dedupe: still stored once.
        using (var again = await host.Http.SendAsync(AdminRequest.Create(HttpMethod.Post, "/v1/admin/dead-letters/replay", body: new { ids = new[] { id, 999_999 } })))
        {
            using var body = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
            Assert.Equal([999_999L], body.RootElement.GetProperty("not_found").EnumerateArray().Select(e => e.GetInt64()));
        }
        await Eventually.WaitAsync(async () => await Db.InboxEventsAsync(db.DataSource) == 0, TimeSpan.FromSeconds(20), "the second replay to be consumed");
        Assert.Equal(10, await Db.EventCountAsync(db.DataSource));
        Assert.Equal(1, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.dead_letters"));
    }

    [Fact]
    public async Task Lag_reports_waiting_events_per_shard_and_empties_once_consumed()
    {
        // The test holds every shard lock, so the processor cannot consume yet.
        await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ConnectionString);
        await blocker.OpenAsync();
        for (var shard = 0; shard < db.Shards; shard++)
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock($1, $2)", blocker);
            cmd.Parameters.AddWithValue(Storage.AdvisoryLocks.ShardConsumers);
            cmd.Parameters.AddWithValue(shard);
            await cmd.ExecuteNonQueryAsync();
        }
        await using var host = await ProcessorHost.StartAsync(db.Processors());
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, 30).Select(i => InboxTestWriter.Event($"lag-{i % 7}", $"lag-{i}", now)).ToList();
        await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, events[..12]);
        await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, events[12..]);
        var expected = events.GroupBy(e => ShardFunction.ShardOf(e.SiteId, db.Shards)).ToDictionary(g => g.Key, g => (long)g.Count());

        using var response = await host.Http.SendAsync(AdminRequest.Create(HttpMethod.Get, "/v1/admin/lag"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var lag = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var shards = lag.RootElement.GetProperty("shards").EnumerateArray().ToList();
        Assert.Equal(expected.Keys.Order(), shards.Select(s => s.GetProperty("shard").GetInt32()));
        Assert.All(shards, s => Assert.Equal(expected[s.GetProperty("shard").GetInt32()], s.GetProperty("events").GetInt64()));
        Assert.All(shards, s => Assert.True(s.GetProperty("oldest_age_seconds").GetDouble() >= 0));
        Assert.Equal(30, lag.RootElement.GetProperty("total_events").GetInt64());
        Assert.Equal(shards.Max(s => s.GetProperty("oldest_age_seconds").GetDouble()), lag.RootElement.GetProperty("max_age_seconds").GetDouble());

        await blocker.CloseAsync();
        await Eventually.WaitAsync(async () =>
        {
            using var r = await host.Http.SendAsync(AdminRequest.Create(HttpMethod.Get, "/v1/admin/lag"));
            using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            return doc.RootElement.GetProperty("total_events").GetInt64() == 0 && doc.RootElement.GetProperty("shards").GetArrayLength() == 0;
        }, TimeSpan.FromSeconds(20), "the lag to drop to zero once the processor owns the shards");
    }

    [Theory]
    [InlineData("GET", "/v1/admin/lag")]
    [InlineData("GET", "/v1/admin/dead-letters")]
    [InlineData("POST", "/v1/admin/dead-letters/replay")]
    public async Task Admin_endpoints_answer_401_without_a_key_and_403_for_a_site_key(string method, string path)
    {
        await using var host = await ProcessorHost.StartAsync(db.Processors());
        var keys = await new SiteStore(db.DataSource).CreateAsync("auth-site", CancellationToken.None);

        using var anonymous = await host.Http.SendAsync(AdminRequest.Create(new HttpMethod(method), path, token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        using var site = await host.Http.SendAsync(AdminRequest.Create(new HttpMethod(method), path, token: keys.WriteKey));
        Assert.Equal(HttpStatusCode.Forbidden, site.StatusCode);
        Assert.Contains("admin token", await site.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"ids":"all"}""")]
    [InlineData("""{"ids":[-1]}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"ids":[1""")]
    public async Task Replay_rejects_a_malformed_body_with_400_and_changes_nothing(string body)
    {
        await using var host = await ProcessorHost.StartAsync(db.Processors());
        await Eventually.WaitAsync(() => Task.FromResult(host.Local.ShardCount == db.Shards), TimeSpan.FromSeconds(20), "the processor to hold its shards");
        var before = await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.dead_letters WHERE replayed_at IS NOT NULL");
        var request = AdminRequest.Create(HttpMethod.Post, "/v1/admin/dead-letters/replay");
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.dead_letters WHERE replayed_at IS NOT NULL"));
    }

    private async Task<string?> ScalarTextAsync(string sql)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        return await cmd.ExecuteScalarAsync() as string;
    }
}
