using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Ingestion.Tests.Grpc;

/// <summary>Stops and restarts a PostgreSQL of its own under a running gRPC stream.</summary>
public class GrpcDatabaseOutageTests
{
    [Fact]
    public async Task Stopped_database_answers_unavailable_and_the_same_stream_and_channel_recover()
    {
        await using var pg = await PrivatePostgres.StartAsync();
        await pg.CreateDatabaseAsync("eventide");
        var options = new EventideOptions();
        options.Database.ConnectionString = pg.ConnectionStringFor("eventide");
        options.Database.Timescale = TimescaleMode.Off;
        options.Ingestion.InboxRotationSeconds = 0;
        options.Ingestion.GrpcListen = "http://127.0.0.1:0";
        SiteKeys demo;
        await using (var dataSource = NpgsqlDataSource.Create(options.Database.ConnectionString))
        {
            await new Migrator(dataSource, options, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
            demo = await new SiteStore(dataSource).CreateAsync("demo", CancellationToken.None);
        }
        await using var host = await GrpcTestHost.StartAsync(options);
        var key = GrpcTestHost.Key(demo.WriteKey);
        using var call = host.Client.Stream(key);
        var acknowledged = new List<string>();
        var refused = new List<string>();
        var n = 0;

        async Task<V1.BatchAck> SendAsync()
        {
            var events = TestEvent.Valid(5, "o");
            await call.RequestStream.WriteAsync(TestEvent.Batch($"o{n++}", events));
            Assert.True(await call.ResponseStream.MoveNext());
            var ack = call.ResponseStream.Current;
            if (ack.Status is null)
            {
                acknowledged.AddRange(ack.Ids);
            }
            else if (ack.Ids.Count == 0)
            {
                // No ids listed: nothing was stored. With ids the outcome is in doubt.
                refused.AddRange(events.Select(e => e.Id!));
            }
            return ack;
        }

        // A fresh server's first commit can outrun the commit budget on a busy machine; the refusal says retry, and a client does.
        await Eventually.WaitAsync(async () => (await SendAsync()).Status is null, TimeSpan.FromSeconds(30), "the first batch accepted");
        await pg.StopServerAsync();
        for (var i = 0; i < 3; i++)
        {
            var ack = await SendAsync();
            Assert.Equal((int)StatusCode.Unavailable, ack.Status?.Code);
            Assert.True(ack.Status!.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
            Assert.Equal(0, ack.Accepted);
        }
        var unary = await Assert.ThrowsAsync<RpcException>(() => host.Client.SendAsync(TestEvent.Batch("u", TestEvent.Valid(1, "u")), key).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, unary.StatusCode);
        Assert.NotNull(unary.Trailers.GetValue("grpc-retry-pushback-ms"));

        await pg.StartServerAsync();
        // The same stream on the same channel, never reconnected: it recovers by itself.
        await Eventually.WaitAsync(async () => (await SendAsync()).Status is null, TimeSpan.FromSeconds(30), "an accepted batch after the database came back");
        var after = await host.Client.SendAsync(TestEvent.Batch("after", TestEvent.Valid(2, "a")), key);
        Assert.Equal(2, after.Accepted);
        acknowledged.AddRange(after.Ids);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());

        await using var check = NpgsqlDataSource.Create(options.Database.ConnectionString);
        var stored = await InboxReader.EventIdsAsync(check);
        Assert.Subset(stored, acknowledged.ToHashSet());
        Assert.Empty(stored.Intersect(refused));
    }
}
