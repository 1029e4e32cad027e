using System.Security.Cryptography;
using System.Text;
using Eventide.Core;

namespace Eventide.Reliability.Tests.Security;

/// <summary>Keys are stored only as SHA-256 hashes and never written to the logs, valid or not.</summary>
public class KeySecrecyTests(SecuredPipeline pipeline) : IClassFixture<SecuredPipeline>
{
    [Fact]
    public async Task No_key_appears_in_clear_in_any_table_and_the_stored_hash_is_its_SHA_256()
    {
        using (await pipeline.PostEventsAsync(pipeline.Alpha.WriteKey, """{"site_id":"alpha","name":"k"}""")) { }
        var secrets = Secrets(pipeline.Alpha.WriteKey, pipeline.Alpha.ReadKey, pipeline.Beta.WriteKey, pipeline.Beta.ReadKey);
        var tables = new List<string>();
        await using (var cmd = pipeline.DataSource.CreateCommand(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'eventide' AND table_type = 'BASE TABLE'"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        Assert.Contains("eventide.api_keys", tables);
        var rows = 0;
        foreach (var table in tables)
        {
            // The table names come from the catalog, quoted by quote_ident.
            await using var cmd = pipeline.DataSource.CreateCommand($"SELECT t::text FROM {table} t");
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = reader.GetString(0);
                rows++;
                foreach (var secret in secrets.Where(s => row.Contains(s, StringComparison.Ordinal)))
                {
                    Assert.Fail($"{table} holds key material in clear: {row}");
                }
            }
        }
        Assert.True(rows > 4, "the dump read nothing");

        await using var hashes = pipeline.DataSource.CreateCommand("SELECT key_hash FROM eventide.api_keys WHERE site_id = 'alpha' ORDER BY kind");
        await using var r = await hashes.ExecuteReaderAsync();
        var stored = new List<byte[]>();
        while (await r.ReadAsync())
        {
            stored.Add(r.GetFieldValue<byte[]>(0));
        }
        Assert.Equal(
            [SHA256.HashData(Encoding.UTF8.GetBytes(pipeline.Alpha.ReadKey)), SHA256.HashData(Encoding.UTF8.GetBytes(pipeline.Alpha.WriteKey))],
            stored);
    }

    [Fact]
    public async Task Keys_and_tokens_valid_or_not_never_reach_the_log()
    {
        var unknown = ApiKey.Generate(ApiKeyKind.Write);
        var wrongAdmin = "not-the-admin-token-9d2e";
        var body = """{"site_id":"alpha","name":"log-check"}""";
        foreach (var key in new[] { pipeline.Alpha.WriteKey, pipeline.Alpha.ReadKey, unknown, wrongAdmin, Harness.Pipeline.AdminToken, pipeline.Beta.WriteKey })
        {
            using (await pipeline.PostEventsAsync(key, body)) { }
            using (await pipeline.PostEventsAsync(key, "{broken")) { }
            using var http = pipeline.Client(key);
            using (await http.GetAsync(new Uri("/v1/sites/alpha/summary", UriKind.Relative))) { }
            using (await http.GetAsync(new Uri("/v1/admin/lag", UriKind.Relative))) { }
        }
        // A header in the wrong scheme still carries a key.
        using (var http = pipeline.Client(null))
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic " + pipeline.Alpha.WriteKey);
            using (await http.GetAsync(new Uri("/v1/sites/alpha/summary", UriKind.Relative))) { }
        }

        var log = pipeline.Server.Log;
        Assert.Contains("Request starting", log, StringComparison.Ordinal);
        var leaked = Secrets(pipeline.Alpha.WriteKey, pipeline.Alpha.ReadKey, unknown, pipeline.Beta.WriteKey)
            .Concat([wrongAdmin, Harness.Pipeline.AdminToken])
            .Where(s => log.Contains(s, StringComparison.Ordinal))
            .ToList();
        Assert.True(leaked.Count == 0, $"the log holds key material: {string.Join(", ", leaked)}");
    }

    /// <summary>Each key and the part after its displayable prefix (which is all that may be shown).</summary>
    private static List<string> Secrets(params string[] keys) =>
        [.. keys.SelectMany(k => new[] { k, k[ApiKey.DisplayPrefix(k).Length..] })];
}
