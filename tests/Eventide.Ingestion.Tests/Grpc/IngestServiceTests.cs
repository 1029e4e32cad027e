using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Eventide.Ingestion.Commit;
using Eventide.Ingestion.Grpc;
using Eventide.Testing;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Ingestion.Tests.Grpc;

public sealed class IngestServiceTests(GrpcFixture fixture) : IClassFixture<GrpcFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Every kind of per-event answer in one batch: valid, duplicate ids, each validation failure, another site.</summary>
    private static List<TestEvent> Mixed(string p)
    {
        var now = DateTimeOffset.UtcNow;
        var dup = $"{p}-0-dup";
        return
        [
            new("demo", "pageview", dup, Path: "/"),
            new("demo", "pageview", dup, Path: "/again"),
            new("demo", null, $"{p}-2-x"),
            new("bad site!", "pageview", $"{p}-3-x"),
            new("other", "pageview", $"{p}-4-x"),
            new("demo", "pageview", $"{p}-5-x", Path: new string('a', 2049)),
            new("demo", "pageview", $"{p}-6-x", Time: now.AddHours(2)),
            new("demo", "pageview", $"{p}-7-x", Properties: "[1,2]"),
            new("demo", "pageview", $"{p}-8-x", Properties: """{"a":1,"a":2}"""),
            new("demo", "purchase", $"{p}-9-x", Time: now.AddMinutes(-5), Properties: """{"plan":"pro","n":12345678901234567890,"revenue":0.1}"""),
            new("demo", "signup"),
            new("demo", "pageview", $"{p}-11-x", Time: now.AddDays(-500)),
            new("demo", "pageview", $"{p}-12-x", Properties: TestEvent.Nested(9)),
        ];
    }

    /// <summary>No empty strings: proto3 cannot tell them from absent fields, so there the transports differ by design.</summary>
    private static List<TestEvent> AllInvalid(string p) => [new("demo", null, $"{p}-0-x"), new("bad site!", "pageview", $"{p}-1-x")];

    private static List<TestEvent> AllOtherSite(string p) => [new("other", "pageview", $"{p}-0-x")];

    private async Task<Answer> PostHttpAsync(List<TestEvent> events, string prefix)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events", UriKind.Relative))
        {
            Content = new StringContent(TestEvent.JsonArray(events), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Demo.WriteKey);
        using var response = await fixture.Host.Http.SendAsync(request);
        return Answer.FromHttp(response.StatusCode, await Answers.JsonAsync(response), prefix);
    }

    [Fact]
    public async Task Stream_answers_each_batch_as_http_answers_the_same_events()
    {
        List<Func<string, List<TestEvent>>> batches = [Mixed, AllInvalid, AllOtherSite, p => TestEvent.Valid(100, p)];
        var http = new List<Answer>();
        var grpcInput = new List<List<TestEvent>>();
        foreach (var make in batches)
        {
            http.Add(await PostHttpAsync(make("h"), "h"));
            grpcInput.Add(make("g"));
        }

        using var call = fixture.Host.Client.Stream(GrpcTestHost.Key(fixture.Demo.WriteKey));
        for (var i = 0; i < grpcInput.Count; i++)
        {
            await call.RequestStream.WriteAsync(TestEvent.Batch($"b{i}", grpcInput[i]));
        }
        await call.RequestStream.CompleteAsync();
        var acks = new List<V1.BatchAck>();
        await foreach (var ack in call.ResponseStream.ReadAllAsync())
        {
            acks.Add(ack);
        }

        Assert.Equal(["b0", "b1", "b2", "b3"], acks.Select(a => a.BatchId));
        Assert.Equal(http, acks.Select(a => Answer.FromGrpc(a, "g")));
        // Independently of the HTTP answer: in the mixed batch exactly indexes 0, 1, 9 and 10 are valid.
        Assert.Equal(4, acks[0].Accepted);
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 11, 12], acks[0].Errors.Select(e => e.Index).Distinct());
        Assert.Equal((int)StatusCode.InvalidArgument, acks[1].Status.Code);
        Assert.Equal((int)StatusCode.PermissionDenied, acks[2].Status.Code);

        var stored = await InboxReader.ReadAllAsync(fixture.DataSource);
        var grpcIds = acks.SelectMany(a => a.Ids).ToList();
        // Both copies of the duplicate id are in the inbox, as over HTTP: dropping duplicates is the processor's job.
        Assert.Equal(grpcIds.Count, stored.Count(s => grpcIds.Contains(s.Event.EventId)));
        var purchase = stored.Single(s => s.Event.EventId == "g-9-x").Event;
        Assert.Equal("""{"plan":"pro","n":12345678901234567890,"revenue":0.1}""", purchase.Properties);
    }

    [Fact]
    public async Task Send_answers_a_valid_batch_and_fails_an_invalid_one_with_the_ack_in_a_trailer()
    {
        var events = TestEvent.Valid(3, "s");
        var ack = await fixture.Host.Client.SendAsync(TestEvent.Batch("one", events), GrpcTestHost.Key(fixture.Demo.WriteKey));
        Assert.Equal(3, ack.Accepted);
        Assert.Equal(events.Select(e => e.Id), ack.Ids);
        Assert.Subset(await InboxReader.EventIdsAsync(fixture.DataSource), events.Select(e => e.Id!).ToHashSet());

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Host.Client.SendAsync(TestEvent.Batch("bad", AllInvalid("s")), GrpcTestHost.Key(fixture.Demo.WriteKey)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var detail = V1.BatchAck.Parser.ParseFrom(ex.Trailers.GetValueBytes(IngestService.AckTrailer));
        Assert.Equal("bad", detail.BatchId);
        Assert.Equal(2, detail.Rejected);
        Assert.Equal([0, 1], detail.Errors.Select(e => e.Index));
    }

    [Theory]
    [InlineData(null, StatusCode.Unauthenticated)]
    [InlineData("evw_not-a-key", StatusCode.Unauthenticated)]
    [InlineData("read", StatusCode.PermissionDenied)]
    public async Task Calls_without_a_write_key_fail_and_store_nothing(string? key, StatusCode expected)
    {
        var sent = key == "read" ? fixture.Demo.ReadKey : key;
        var events = TestEvent.Valid(2, "k");
        var unary = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Host.Client.SendAsync(TestEvent.Batch("k", events), GrpcTestHost.Key(sent)).ResponseAsync);
        Assert.Equal(expected, unary.StatusCode);

        using var call = fixture.Host.Client.Stream(GrpcTestHost.Key(sent));
        try
        {
            await call.RequestStream.WriteAsync(TestEvent.Batch("k", events));
        }
        catch (RpcException)
        {
            // The server may end the call before the write lands; the write then fails as cancelled,
            // and the server's status is the call's, read from the response stream as a client would.
        }
        var stream = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(expected, stream.StatusCode);
        Assert.Empty((await InboxReader.EventIdsAsync(fixture.DataSource)).Intersect(events.Select(e => e.Id!)));
    }

    [Fact]
    public async Task Oversize_message_fails_with_resource_exhausted_and_too_many_events_are_refused_per_batch()
    {
        // 80 events with 15 KiB of properties each: about 1.2 MB, over the 1 MiB message limit.
        var big = Enumerable.Range(0, 80).Select(i => new TestEvent("demo", "big", $"o-{i}-{Guid.NewGuid():N}",
            Properties: $$"""{"pad":"{{new string('x', 15 * 1024)}}"}""")).ToList();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Host.Client.SendAsync(TestEvent.Batch("big", big), GrpcTestHost.Key(fixture.Demo.WriteKey)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);

        var many = TestEvent.Valid(1001, "m");
        using var call = fixture.Host.Client.Stream(GrpcTestHost.Key(fixture.Demo.WriteKey));
        await call.RequestStream.WriteAsync(TestEvent.Batch("many", many));
        var small = TestEvent.Valid(2, "m");
        await call.RequestStream.WriteAsync(TestEvent.Batch("small", small));
        await call.RequestStream.CompleteAsync();
        var acks = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal((int)StatusCode.ResourceExhausted, acks[0].Status.Code);
        Assert.Null(acks[0].Status.RetryDelay);
        Assert.Contains("1000", acks[0].Status.Message, StringComparison.Ordinal);
        Assert.Equal(2, acks[1].Accepted);

        var stored = await InboxReader.EventIdsAsync(fixture.DataSource);
        Assert.Empty(stored.Intersect(big.Concat(many).Select(e => e.Id!)));
        Assert.Subset(stored, small.Select(e => e.Id!).ToHashSet());
    }

    [Fact]
    public async Task Rate_limited_batches_get_resource_exhausted_with_a_retry_delay()
    {
        await using var host = await GrpcTestHost.StartAsync(fixture.HostOptions(o =>
        {
            o.Ingestion.RateLimitPerSecond = 1;
            o.Ingestion.RateLimitBurst = 10;
        }));
        using var call = host.Client.Stream(GrpcTestHost.Key(fixture.Other.WriteKey));
        var first = TestEvent.Valid(10, "r", "other");
        var second = TestEvent.Valid(5, "r", "other");
        await call.RequestStream.WriteAsync(TestEvent.Batch("first", first));
        await call.RequestStream.WriteAsync(TestEvent.Batch("second", second));
        await call.RequestStream.CompleteAsync();
        var acks = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal(10, acks[0].Accepted);
        Assert.Equal((int)StatusCode.ResourceExhausted, acks[1].Status.Code);
        Assert.True(acks[1].Status.RetryDelay.ToTimeSpan() > TimeSpan.Zero);

        var unary = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.SendAsync(TestEvent.Batch("third", second), GrpcTestHost.Key(fixture.Other.WriteKey)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, unary.StatusCode);
        Assert.True(long.Parse(unary.Trailers.GetValue(IngestService.PushbackTrailer)!, System.Globalization.CultureInfo.InvariantCulture) > 0);

        var stored = await InboxReader.EventIdsAsync(fixture.DataSource);
        Assert.Subset(stored, first.Select(e => e.Id!).ToHashSet());
        Assert.Empty(stored.Intersect(second.Select(e => e.Id!)));
    }

    [Fact]
    public async Task Cancelled_stream_stores_acknowledged_batches_once_and_others_whole_or_not_at_all()
    {
        var batches = Enumerable.Range(0, 100).Select(i => TestEvent.Valid(50, $"c{i}")).ToList();
        using var cancel = new CancellationTokenSource();
        var acked = new List<string>();
        using (var call = fixture.Host.Client.Stream(GrpcTestHost.Key(fixture.Demo.WriteKey), cancellationToken: cancel.Token))
        {
            var writing = Task.Run(async () =>
            {
                for (var i = 0; i < batches.Count; i++)
                {
                    await call.RequestStream.WriteAsync(TestEvent.Batch($"c{i}", batches[i]), cancel.Token);
                }
            });
            while (acked.Count < 5 && await call.ResponseStream.MoveNext(cancel.Token))
            {
                acked.Add(call.ResponseStream.Current.BatchId);
            }
            await cancel.CancelAsync();
            try
            {
                await writing.WaitAsync(Deadline);
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException)
            {
                // Writes still queued when the call was cancelled fail; that is the point.
            }
        }
        var committer = fixture.Host.Services.GetRequiredService<GroupCommitter>();
        await Eventually.WaitAsync(() => Task.FromResult(committer.BufferedEvents == 0 && fixture.Host.Metrics.InFlight == 0), Deadline,
            "the cancelled stream's batches to settle");

        var stored = (await InboxReader.ReadAllAsync(fixture.DataSource)).GroupBy(s => s.Event.EventId).ToDictionary(g => g.Key, g => g.Count());
        for (var i = 0; i < batches.Count; i++)
        {
            var present = batches[i].Count(e => stored.ContainsKey(e.Id!));
            Assert.All(batches[i], e => Assert.True(stored.GetValueOrDefault(e.Id!) <= 1, $"{e.Id} stored twice"));
            if (acked.Contains($"c{i}"))
            {
                Assert.Equal(batches[i].Count, present);
            }
            else
            {
                Assert.True(present == 0 || present == batches[i].Count, $"batch c{i} half-stored: {present} of {batches[i].Count}");
            }
        }
    }

    [Fact]
    public async Task Client_that_never_reads_acks_is_held_to_the_in_flight_bound()
    {
        const int max = 4;
        const int total = 300;
        await using var host = await GrpcTestHost.StartAsync(fixture.HostOptions(o =>
        {
            o.Ingestion.GrpcMaxInFlightBatches = max;
            o.Ingestion.RateLimitPerSecond = 0;
        }));
        var batches = Enumerable.Range(0, total).Select(i => TestEvent.Valid(100, $"f{i}")).ToList();
        using var call = host.Client.Stream(GrpcTestHost.Key(fixture.Demo.WriteKey));
        var written = 0;
        var writing = Task.Run(async () =>
        {
            foreach (var (batch, i) in batches.Select((b, i) => (b, i)))
            {
                await call.RequestStream.WriteAsync(TestEvent.Batch($"f{i}", batch));
                Interlocked.Increment(ref written);
            }
            await call.RequestStream.CompleteAsync();
        });

        // Nobody reads acks: the server fills its in-flight slots and then stops reading, so the
        // client's writes stall under HTTP/2 flow control well before all batches are sent.
        var last = -1;
        await Eventually.WaitAsync(() =>
        {
            var now = Volatile.Read(ref written);
            var settled = host.Metrics.InFlight == max && now == last;
            last = now;
            return Task.FromResult(settled);
        }, Deadline, "the stream to stall with every in-flight slot taken");
        Assert.False(writing.IsCompleted);
        Assert.True(last < total, $"all {total} batches were sent without acks being read");
        Assert.Equal(max, host.Metrics.PeakInFlightPerStream);

        var acks = new List<V1.BatchAck>();
        await foreach (var ack in call.ResponseStream.ReadAllAsync())
        {
            acks.Add(ack);
        }
        await writing.WaitAsync(Deadline);
        Assert.Equal(total, acks.Count);
        // Every batch is acknowledged whole, or (a commit that outran its budget on a loaded machine) refused
        // with nothing stored, never anything in between.
        var refused = acks.Where(a => a.Status is not null).Select(a => a.BatchId).ToHashSet();
        Assert.All(acks.Where(a => a.Status is null), a => Assert.Equal(100, a.Accepted));
        Assert.All(acks.Where(a => a.Status is not null), a =>
        {
            Assert.Equal((int)StatusCode.Unavailable, a.Status.Code);
            Assert.Empty(a.Ids);
        });
        Assert.True(refused.Count < total / 10, $"{refused.Count} of {total} batches refused");
        Assert.Equal(max, host.Metrics.PeakInFlightPerStream);
        var stored = (await InboxReader.ReadAllAsync(fixture.DataSource)).GroupBy(s => s.Event.EventId).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(batches.Select((b, i) => (b, i)), x => Assert.All(x.b, e =>
            Assert.Equal(refused.Contains($"f{x.i}") ? 0 : 1, stored.GetValueOrDefault(e.Id!))));
    }

    [Fact]
    public async Task Health_reports_serving_and_reflection_lists_the_ingest_service()
    {
        var health = new Health.HealthClient(fixture.Host.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
            (await health.CheckAsync(new HealthCheckRequest { Service = GrpcIngestion.ServiceName })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        var reflection = new ServerReflection.ServerReflectionClient(fixture.Host.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Contains(GrpcIngestion.ServiceName, call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
    }
}
