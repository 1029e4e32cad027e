using System.Text.Json;
using Eventide.Testing;

namespace Eventide.Processor.Tests;

/// <summary>Replay handles events that failed to store; messages rejected at intake stay for inspection. Its own database: it adds such a row.</summary>
public class DeadLetterReplayScopeTests(DefaultShardFixture db) : IClassFixture<DefaultShardFixture>
{
    [Fact]
    public async Task Replay_leaves_messages_rejected_at_intake_alone_and_keeps_their_reason()
    {
        await using var host = await ProcessorHost.StartAsync(db.Processors());
        long id;
        await using (var insert = db.DataSource.CreateCommand("""
            INSERT INTO eventide.dead_letters (site_id, event_id, source, payload, error)
            VALUES ('seg-site', 'm-1', 'segment', '{"type":"track","messageId":"m-1"}', 'event: missing') RETURNING id
            """))
        {
            id = (long)(await insert.ExecuteScalarAsync())!;
        }

        // Replaying everything does not pick it up, and it does not count as waiting.
        using (var all = await host.Http.SendAsync(AdminRequest.Create(HttpMethod.Post, "/v1/admin/dead-letters/replay", body: new { })))
        {
            using var body = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
            Assert.DoesNotContain(id, body.RootElement.GetProperty("replayed").EnumerateArray().Select(e => e.GetInt64()));
            Assert.DoesNotContain(id, body.RootElement.GetProperty("failed").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            Assert.Equal(
                await Db.ScalarAsync(db.DataSource, "SELECT count(*) FROM eventide.dead_letters WHERE replayed_at IS NULL AND source = 'processor'"),
                body.RootElement.GetProperty("remaining").GetInt64());
        }

        // Asked for by id, it is refused with a reason, and its own reason stays.
        using (var byId = await host.Http.SendAsync(AdminRequest.Create(HttpMethod.Post, "/v1/admin/dead-letters/replay", body: new { ids = new[] { id } })))
        {
            using var body = JsonDocument.Parse(await byId.Content.ReadAsStringAsync());
            var failure = Assert.Single(body.RootElement.GetProperty("failed").EnumerateArray());
            Assert.Equal(id, failure.GetProperty("id").GetInt64());
            Assert.Contains("rejected at intake", failure.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal("event: missing", await Db.DeadLetterErrorAsync(db.DataSource, id));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.dead_letters WHERE id = {id} AND replayed_at IS NOT NULL"));
    }
}
