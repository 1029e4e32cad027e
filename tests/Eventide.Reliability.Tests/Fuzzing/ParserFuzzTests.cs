using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Eventide.Core;
using Eventide.Core.Events;
using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing of the event parser and validator with seeded random
/// mutations of valid events: in-process against <see cref="EventParser"/> with
/// an independent validity oracle, and over HTTP against the real ingestion
/// process. Set EVENTIDE_FUZZ_SEED to replay a reported seed.
/// </summary>
public class ParserFuzzTests(ShardedDatabase db, ITestOutputHelper output) : IClassFixture<ShardedDatabase>
{
    private const int Cases = 100_000;
    private const int HttpCases = 3_000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static int Seed => Environment.GetEnvironmentVariable("EVENTIDE_FUZZ_SEED") is { Length: > 0 } s
        ? int.Parse(s, CultureInfo.InvariantCulture) : 20261122;

    [Fact]
    public void Parser_never_throws_and_accepts_only_valid_events_over_100000_mutated_bodies()
    {
        var seed = Seed;
        var parser = new EventParser(new IngestionOptions(), new RetentionOptions());
        var generator = new CaseGenerator(seed, "fuzz", ReceivedAt);
        var clock = Stopwatch.StartNew();
        var failures = new ConcurrentQueue<string>();
        var ran = 0;
        long accepted = 0, rejected = 0, refused = 0, generating = 0;
        // Two workers over disjoint case numbers; each case is a pure function of (seed, number).
        Parallel.For(0, 2, worker =>
        {
            for (var i = worker; i < Cases && clock.Elapsed < Budget && failures.Count < 5; i += 2)
            {
                var started = Stopwatch.GetTimestamp();
                var c = generator.Generate(i);
                Interlocked.Add(ref generating, Stopwatch.GetTimestamp() - started);
                string? failure;
                try
                {
                    var batch = parser.Parse(c.Body, c.Format, ReceivedAt, c.EpochMillis);
                    failure = ValidityOracle.Check(c, batch, ReceivedAt);
                    Interlocked.Add(ref accepted, batch.Valid.Count);
                    Interlocked.Add(ref rejected, batch.Count - batch.Valid.Count);
                    Interlocked.Add(ref refused, batch.Problem == BodyProblem.None ? 0 : 1);
                }
                catch (Exception ex)
                {
                    failure = $"unhandled {ex.GetType().Name}: {ex.Message}";
                }
                if (failure is not null)
                {
                    failures.Enqueue($"seed {seed} case {i} ({c.Format}, epoch millis {c.EpochMillis}, mutations: {c.Mutations}): {failure}\n" +
                        $"  body: {Preview(c.Body)}");
                }
                Interlocked.Increment(ref ran);
            }
        });
        output.WriteLine($"seed {seed}: {ran} cases in {clock.Elapsed.TotalSeconds:F1} s; {accepted} events accepted, {rejected} rejected, {refused} bodies refused; " +
            $"generating took {Stopwatch.GetElapsedTime(0, generating).TotalSeconds:F1} s of worker time");
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.True(ran >= Cases, $"only {ran} of {Cases} cases ran within {Budget.TotalSeconds} s (seed {seed})");
        // The generator must exercise both sides of the validator.
        Assert.True(accepted > Cases / 5 && rejected > Cases / 5 && refused > Cases / 100 && refused < Cases / 2, "the cases were too lopsided to test much");
    }

    [Fact]
    public Task Ingestion_answers_mutated_bodies_without_a_500_and_stores_exactly_what_it_acknowledges() => Bounded.RunAsync(TimeSpan.FromSeconds(120), async () =>
    {
        var seed = Seed + 1;
        var keys = await new SiteStore(db.DataSource).CreateAsync("fuzz", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        await pipeline.StartIngestionAsync();
        var generator = new CaseGenerator(seed, "fuzz", DateTimeOffset.UtcNow);
        using var http = new HttpClient { BaseAddress = pipeline.IngestionAddress, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keys.WriteKey);
        var acknowledged = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var next = -1;

        async Task WorkerAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < HttpCases)
            {
                var c = generator.Generate(i);
                using var content = new ByteArrayContent(c.Body);
                content.Headers.ContentType = new MediaTypeHeaderValue(c.Format == BodyFormat.Ndjson ? "application/x-ndjson" : "application/json");
                using var response = await http.PostAsync(new Uri(c.EpochMillis ? "/event" : "/v1/events", UriKind.Relative), content);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                var text = await response.Content.ReadAsStringAsync();
                if (status is not (202 or 400 or 403 or 413))
                {
                    failures.Enqueue($"seed {seed} case {i} ({c.Mutations}): {status} {text}");
                    continue;
                }
                if (status == 202)
                {
                    using var doc = JsonDocument.Parse(text);
                    foreach (var id in doc.RootElement.GetProperty("ids").EnumerateArray())
                    {
                        acknowledged.Add(id.GetString()!);
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(WorkerAsync)));
        var inbox = await InboxIdsAsync();
        output.WriteLine($"seed {seed}: {HttpCases} bodies posted; answers " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")) + $"; {acknowledged.Count} events acknowledged, {inbox.Count} in the inbox");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(5)));
        // Refused bodies and rejected events leave the inbox unchanged: it holds exactly the acknowledged ids.
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), inbox.Order(StringComparer.Ordinal));
        Assert.True(statuses.GetValueOrDefault(202) > HttpCases / 10 && statuses.GetValueOrDefault(400) > HttpCases / 10, "the answers were too lopsided to test much");
    });

    private async Task<List<string>> InboxIdsAsync()
    {
        await using var cmd = db.DataSource.CreateCommand("SELECT payload FROM eventide.inbox");
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.AddRange(InboxCodec.Decode(reader.GetFieldValue<byte[]>(0)).Select(e => e.EventId));
        }
        return ids;
    }

    private static string Preview(byte[] body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body);
        return text.Length <= 600 ? text : text[..600] + $"... ({body.Length} bytes)";
    }
}
