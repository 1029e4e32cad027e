using System.Net;
using Eventide.Core;
using Eventide.Ingestion.Commit;
using Eventide.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Eventide.Ingestion.Tests;

public class GroupCommitTests(GroupCommitTests.SmallBufferFixture fx) : IClassFixture<GroupCommitTests.SmallBufferFixture>
{
    public sealed class SmallBufferFixture : IngestionFixture
    {
        protected override void Configure(EventideOptions options)
        {
            base.Configure(options);
            // The default budget, the one the 1 s answer guarantee rests on (the benchmark and the fault suite time it).
            options.Ingestion.CommitTimeoutMs = new IngestionOptions().CommitTimeoutMs;
            options.Ingestion.MaxEventsPerRequest = 10;
            options.Ingestion.MaxBufferedEvents = 10;
        }
    }

    private static string Batch(IEnumerable<string> ids) =>
        "[" + string.Join(',', ids.Select(id => $"{{\"site_id\":\"demo\",\"name\":\"g\",\"event_id\":\"{id}\"}}")) + "]";

    private static List<string> NewIds(int n) => [.. Enumerable.Range(0, n).Select(_ => "g-" + Guid.NewGuid().ToString("N"))];

    /// <summary>Holds ACCESS EXCLUSIVE on inbox_state, which every inbox insert reads: a database that hangs commits.</summary>
    private static async Task<NpgsqlTransaction> BlockCommitsAsync(NpgsqlConnection conn)
    {
        var tx = await conn.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand("LOCK TABLE eventide.inbox_state IN ACCESS EXCLUSIVE MODE", conn, tx);
        await cmd.ExecuteNonQueryAsync();
        return tx;
    }

    [Fact]
    public async Task Hung_database_answers_503_on_its_own_budget_and_the_refused_events_are_never_stored()
    {
        // Warm the key cache so the only slow part is the commit.
        var warm = await fx.Host.PostAsync(fx.Demo.WriteKey, Batch(NewIds(1)));
        Assert.True(warm.StatusCode == HttpStatusCode.Accepted, await warm.Content.ReadAsStringAsync());

        var refused = new List<string>();
        await using (var conn = await fx.DataSource.OpenConnectionAsync())
        {
            await using var block = await BlockCommitsAsync(conn);
            // The lock is held until every answer is in: an answer at all means the server gave up on its commit budget
            // instead of waiting for the database. How fast that is under load is the benchmark's to measure, not a unit test's.
            var requests = Enumerable.Range(0, 3).Select(async _ =>
            {
                var ids = NewIds(3);
                var response = await fx.Host.PostAsync(fx.Demo.WriteKey, Batch(ids), retryUnavailable: false);
                return (ids, response);
            });
            foreach (var (ids, response) in await Task.WhenAll(requests))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
                var json = await Answers.JsonAsync(response);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var detail = json.GetProperty("detail").GetString();
                if (json.TryGetProperty("ids", out var listed))
                {
                    // The rollback's answer outran the grace on a loaded machine: in doubt, and the 503 lists what to retry.
                    Assert.Contains("may or may not be stored", detail, StringComparison.Ordinal);
                    Assert.Equal(ids.Order(StringComparer.Ordinal), listed.EnumerateArray().Select(i => i.GetString()!).Order(StringComparer.Ordinal));
                }
                else
                {
                    Assert.Contains("could not be committed in time", detail, StringComparison.Ordinal);
                    Assert.Contains("Nothing was stored", detail, StringComparison.Ordinal);
                }
                refused.AddRange(ids);
            }
            await block.RollbackAsync();
        }
        // The abandoned requests' events leave the (tiny) buffer once the committer has ended their transaction.
        var committer = fx.Host.Services.GetRequiredService<GroupCommitter>();
        await Eventually.WaitAsync(() => Task.FromResult(committer.BufferedEvents), n => n == 0, TimeSpan.FromSeconds(5), "the buffer to drain");

        var after = NewIds(2);
        Assert.Equal(HttpStatusCode.Accepted, (await fx.Host.PostAsync(fx.Demo.WriteKey, Batch(after))).StatusCode);
        var stored = await InboxReader.EventIdsAsync(fx.DataSource);
        Assert.Subset(stored, after.ToHashSet());
        Assert.Empty(stored.Intersect(refused));
    }

    [Fact]
    public async Task Full_buffer_answers_503_at_once()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await fx.Host.PostAsync(fx.Demo.WriteKey, Batch(NewIds(1)))).StatusCode);
        var committer = fx.Host.Services.GetRequiredService<GroupCommitter>();
        await using var conn = await fx.DataSource.OpenConnectionAsync();
        await using var block = await BlockCommitsAsync(conn);

        var filling = fx.Host.PostAsync(fx.Demo.WriteKey, Batch(NewIds(10)), retryUnavailable: false);
        await Eventually.WaitAsync(() => Task.FromResult(committer.BufferedEvents), n => n == 10, TimeSpan.FromSeconds(5), "the first request to fill the buffer");

        // Refused before the commit budget runs out: the reason is the full buffer, not the hung commit.
        var response = await fx.Host.PostAsync(fx.Demo.WriteKey, Batch(NewIds(1)), retryUnavailable: false);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("saturated", (await Answers.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(response.Headers.RetryAfter);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await filling).StatusCode);
        await block.RollbackAsync();
        await Eventually.WaitAsync(() => Task.FromResult(committer.BufferedEvents), n => n == 0, TimeSpan.FromSeconds(5), "the buffer to drain");
    }
}
