using System.Net;
using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Eventide.Ingestion.Tests;

/// <summary>Stops and restarts a PostgreSQL of its own under the running service.</summary>
public class DatabaseOutageTests
{
    private static string Batch(IEnumerable<string> ids, string site = "demo") =>
        "[" + string.Join(',', ids.Select(id => $"{{\"site_id\":\"{site}\",\"name\":\"o\",\"event_id\":\"{id}\"}}")) + "]";

    private static List<string> NewIds(int n) => [.. Enumerable.Range(0, n).Select(_ => "o-" + Guid.NewGuid().ToString("N"))];

    [Fact]
    public async Task Stopped_database_gets_503_within_a_second_and_service_resumes_when_it_returns()
    {
        await using var pg = await PrivatePostgres.StartAsync();
        await pg.CreateDatabaseAsync("eventide");
        var options = new EventideOptions();
        options.Database.ConnectionString = pg.ConnectionStringFor("eventide");
        options.Database.Timescale = TimescaleMode.Off;
        options.Ingestion.InboxRotationSeconds = 0;
        SiteKeys demo, late;
        await using (var dataSource = NpgsqlDataSource.Create(options.Database.ConnectionString))
        {
            await new Migrator(dataSource, options, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
            demo = await new SiteStore(dataSource).CreateAsync("demo", CancellationToken.None);
            // A key never used before the outage: its lookup needs the database.
            late = await new SiteStore(dataSource).CreateAsync("late", CancellationToken.None);
        }

        await using var host = await TestHost.StartAsync(options);
        var acknowledged = new List<string>();
        var refused = new List<string>();
        var first = NewIds(3);
        Assert.Equal(HttpStatusCode.Accepted, (await host.PostAsync(demo.WriteKey, Batch(first))).StatusCode);
        acknowledged.AddRange(first);

        await pg.StopServerAsync();
        for (var i = 0; i < 5; i++)
        {
            var ids = NewIds(3);
            var response = await host.PostAsync(demo.WriteKey, Batch(ids), retryUnavailable: false);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            refused.AddRange(ids);
        }
        var uncached = await host.PostAsync(late.WriteKey, Batch(NewIds(1), "late"), retryUnavailable: false);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, uncached.StatusCode);
        Assert.Contains("write key could not be checked", (await Answers.JsonAsync(uncached)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        await pg.StartServerAsync();
        // The same host, not restarted: it must recover by itself.
        await Eventually.WaitAsync(async () =>
        {
            var ids = NewIds(2);
            var response = await host.PostAsync(demo.WriteKey, Batch(ids), retryUnavailable: false);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                acknowledged.AddRange(ids);
                return true;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var body = await Answers.JsonAsync(response);
            if (!body.TryGetProperty("ids", out _))
            {
                refused.AddRange(ids);
            }
            return false;
        }, TimeSpan.FromSeconds(30), "a 202 after the database came back");
        Assert.Equal(HttpStatusCode.Accepted, (await host.PostAsync(late.WriteKey, Batch(NewIds(1), "late"))).StatusCode);

        await using var check = NpgsqlDataSource.Create(options.Database.ConnectionString);
        var stored = await InboxReader.EventIdsAsync(check);
        Assert.Subset(stored, acknowledged.ToHashSet());
        Assert.Empty(stored.Intersect(refused));
    }
}
