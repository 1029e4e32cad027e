using System.Net;
using System.Text.Json;
using Eventide.Testing;

namespace Eventide.Reliability.Tests.Security;

/// <summary>SQL-shaped input is data: stored and found verbatim, or refused; the schema stays as it was.</summary>
public class InjectionTests(SecuredPipeline pipeline) : IClassFixture<SecuredPipeline>
{
    private const string Drop = "'; DROP TABLE eventide.events; --";

    private async Task<List<string>> CatalogAsync()
    {
        await using var cmd = pipeline.DataSource.CreateCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'eventide' ORDER BY 1");
        await using var reader = await cmd.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }
        return tables;
    }

    [Fact]
    public async Task Injection_shaped_values_are_stored_and_queried_verbatim_or_refused_and_the_schema_is_intact()
    {
        var before = await CatalogAsync();
        var evil = new Dictionary<string, string>
        {
            ["name"] = Drop,
            ["path"] = "/x' OR '1'='1",
            ["user_id"] = "u\"); DELETE FROM eventide.sites; --",
            ["session_id"] = "s$1 $2 \\x00 E'\\'",
            ["event_id"] = "id'; TRUNCATE eventide.api_keys; --",
        };
        var body = JsonSerializer.Serialize(new Dictionary<string, object>(evil.Select(kv => KeyValuePair.Create(kv.Key, (object)kv.Value)))
        {
            ["site_id"] = "alpha",
            ["properties"] = new Dictionary<string, string> { [Drop] = "Robert'); DROP TABLE Students;--" },
        });
        using (var accepted = await pipeline.PostEventsAsync(pipeline.Alpha.WriteKey, body))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }
        using (var badSite = await pipeline.PostEventsAsync(pipeline.Alpha.WriteKey, JsonSerializer.Serialize(new { site_id = "alpha" + Drop, name = "x" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badSite.StatusCode);
        }

        // Stored verbatim, column by column.
        var row = await Eventually.WaitAsync(async () =>
        {
            await using var cmd = pipeline.DataSource.CreateCommand(
                "SELECT name, path, user_id, session_id, event_id, properties::text FROM eventide.events WHERE site_id = 'alpha' AND event_id = $1");
            cmd.Parameters.AddWithValue(evil["event_id"]);
            await using var reader = await cmd.ExecuteReaderAsync();
            return await reader.ReadAsync() ? Enumerable.Range(0, 6).Select(reader.GetString).ToArray() : null;
        }, r => r is not null, TimeSpan.FromSeconds(30), "the event to be stored");
        Assert.Equal([evil["name"], evil["path"], evil["user_id"], evil["session_id"], evil["event_id"]], row![..5]);
        using (var props = JsonDocument.Parse(row[5]))
        {
            Assert.Equal("Robert'); DROP TABLE Students;--", props.RootElement.GetProperty(Drop).GetString());
        }

        // Found through the query API by the same values as filters.
        using var reader = pipeline.Client(pipeline.Alpha.ReadKey);
        var query = string.Join('&', new[] { "name", "path", "user_id", "session_id" }.Select(k => $"{k}={Uri.EscapeDataString(evil[k])}"));
        using (var found = await reader.GetAsync(new Uri($"/v1/sites/alpha/events?{query}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            using var doc = JsonDocument.Parse(await found.Content.ReadAsStringAsync());
            Assert.Equal([evil["event_id"]], doc.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()));
        }

        // Hostile site ids and parameters get 4xx, never 500.
        using var admin = pipeline.Client(Harness.Pipeline.AdminToken);
        foreach (var (client, path) in new[]
        {
            (admin, $"/v1/sites/{Uri.EscapeDataString("alpha" + Drop)}/summary"),
            (reader, $"/v1/sites/alpha/summary?from={Uri.EscapeDataString(Drop)}"),
            (reader, $"/v1/sites/alpha/breakdown?by={Uri.EscapeDataString("name; DROP TABLE eventide.events")}"),
            (reader, $"/v1/sites/alpha/events?limit={Uri.EscapeDataString("1; DROP TABLE eventide.events")}"),
            (reader, $"/v1/sites/alpha/events?cursor={Uri.EscapeDataString(Drop)}"),
        })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True((int)response.StatusCode is 400 or 404, $"{path}: {response.StatusCode}");
        }

        // Nothing dropped; the only new tables are the daily partitions storing created.
        var after = await CatalogAsync();
        Assert.Empty(before.Except(after));
        Assert.All(after.Except(before), t => Assert.Matches("^(events|event_ids)_[0-9]{8}$", t));
        Assert.Equal(2, await Harness.StoredEvents.ScalarAsync(pipeline.DataSource, "SELECT count(*) FROM eventide.sites"));
        Assert.Equal(4, await Harness.StoredEvents.ScalarAsync(pipeline.DataSource, "SELECT count(*) FROM eventide.api_keys"));
    }
}
