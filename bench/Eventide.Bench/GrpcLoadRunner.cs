using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Bench;

/// <summary>
/// Bounded gRPC load: a fixed number of bidirectional streams on one channel, each keeping up
/// to <see cref="Window"/> batches unacknowledged (the server's default in-flight bound), for a
/// fixed time, closed loop. The events are the HTTP workload's (same sites, skew and
/// duplicates); latency is from sending a batch to reading its ack.
/// </summary>
public sealed class GrpcLoadRunner(GrpcChannel channel, Workload workload)
{
    public const int Window = 8;

    public async Task<LoadResult> RunAsync(string phase, int streams, int batchSize, TimeSpan duration, CancellationToken ct)
    {
        var total = new LoadResult();
        var stopwatch = Stopwatch.StartNew();
        using var progressCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = Progress.RunAsync(phase, total, duration, progressCts.Token);
        var client = new V1.Ingest.IngestClient(channel);
        var workers = Enumerable.Range(0, streams).Select(w => Task.Run(() => StreamAsync(client, w, batchSize, duration, stopwatch, ct), ct)).ToArray();
        foreach (var result in await Task.WhenAll(workers))
        {
            total.Merge(result);
        }
        total.Seconds = stopwatch.Elapsed.TotalSeconds;
        await progressCts.CancelAsync();
        await progress;
        return total;
    }

    private async Task<LoadResult> StreamAsync(V1.Ingest.IngestClient client, int worker, int batchSize, TimeSpan duration, Stopwatch stopwatch, CancellationToken ct)
    {
        var local = new LoadResult();
        var random = new Random(worker * 7919 + batchSize + 1);
        var recent = new Guid[4096];
        var recentCount = 0;
        // One stream carries one site's key, as a server-side forwarder of one tenant would.
        var (site, key) = workload.PickSite(random);
        using var call = client.Stream(new Metadata { { "authorization", "Bearer " + key } }, cancellationToken: ct);
        using var window = new SemaphoreSlim(Window, Window);
        var sentAt = new Dictionary<string, long>();
        var reading = Task.Run(async () =>
        {
            await foreach (var ack in call.ResponseStream.ReadAllAsync(ct))
            {
                long sent;
                lock (sentAt)
                {
                    sentAt.Remove(ack.BatchId, out sent);
                }
                var ok = ack.Status is null;
                local.Requests++;
                local.SentEvents += batchSize;
                local.AcceptedEvents += ack.Accepted;
                var status = ok ? 202 : 1000 + ack.Status!.Code;
                local.ByStatus[status] = local.ByStatus.GetValueOrDefault(status) + 1;
                if (!ok)
                {
                    local.Failures++;
                    local.FirstMessage.TryAdd(status, ack.Status!.Message);
                }
                local.LatenciesMs.Add((stopwatch.ElapsedTicks - sent) * 1000.0 / Stopwatch.Frequency);
                Progress.Record(ack.Accepted, ok);
                window.Release();
            }
        }, ct);
        var n = 0;
        while (stopwatch.Elapsed < duration && !ct.IsCancellationRequested)
        {
            await window.WaitAsync(ct);
            var body = workload.Batch(random, site, batchSize, recent, ref recentCount);
            var batch = ToProto($"{worker}-{n++}", body);
            lock (sentAt)
            {
                sentAt[batch.BatchId] = stopwatch.ElapsedTicks;
            }
            await call.RequestStream.WriteAsync(batch, ct);
        }
        await call.RequestStream.CompleteAsync();
        await reading;
        return local;
    }

    /// <summary>The HTTP workload's JSON batch as the gRPC message (same fields; properties as JSON text).</summary>
    private static V1.EventBatch ToProto(string batchId, byte[] json)
    {
        var batch = new V1.EventBatch { BatchId = batchId };
        using var doc = JsonDocument.Parse(json);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var message = new V1.Event
            {
                SiteId = e.GetProperty("site_id").GetString()!,
                Name = e.GetProperty("name").GetString()!,
                EventId = e.GetProperty("event_id").GetString()!,
                Path = e.GetProperty("path").GetString()!,
                UserId = e.GetProperty("user_id").GetString()!,
                PropertiesJson = e.GetProperty("properties").GetRawText(),
            };
            if (e.TryGetProperty("referrer", out var referrer))
            {
                message.Referrer = referrer.GetString()!;
            }
            if (e.TryGetProperty("timestamp", out var time))
            {
                message.Timestamp = Timestamp.FromDateTimeOffset(time.GetDateTimeOffset());
            }
            batch.Events.Add(message);
        }
        return batch;
    }
}
