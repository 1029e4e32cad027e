using System.Diagnostics;

namespace Eventide.Bench;

/// <summary>
/// Bounded HTTP load: a fixed number of keep-alive connections, for a fixed
/// time. Closed loop (as fast as acknowledged) when no rate is given; open
/// loop otherwise, with latency measured from the intended send time so a
/// stalled server is not hidden by the client waiting for it. Each worker drives its own
/// raw keep-alive connection (<see cref="RawHttpConnection"/>), so the generator's CPU per
/// request is close to wrk's.
/// </summary>
public sealed class LoadRunner(Uri ingest, Workload workload)
{
    private long _accepted;

    /// <summary>Events acknowledged so far by the runs of this runner, read while one runs.</summary>
    public long AcceptedSoFar => Interlocked.Read(ref _accepted);

    public static HttpClient CreateClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        EnableMultipleHttp2Connections = false,
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Runs the load for <paramref name="duration"/>, or until <paramref name="stop"/> is
    /// signalled. Closed loop, a worker answered 503 with <c>Retry-After</c> waits that long
    /// before its next request, as the API asks of clients (ingestion's inbox high-water mark);
    /// open loop keeps its schedule, so a refusal there shows as a failure, not a pause.
    /// </summary>
    public async Task<LoadResult> RunAsync(string phase, int connections, int batchSize, TimeSpan duration, double? eventsPerSecond,
        CancellationToken ct, CancellationToken stop = default)
    {
        var total = new LoadResult();
        var stopwatch = Stopwatch.StartNew();
        var intervalTicks = eventsPerSecond is { } rate ? Stopwatch.Frequency * batchSize / rate : 0;
        long scheduled = 0;
        using var progressCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = Progress.RunAsync(phase, total, duration, progressCts.Token);

        // The heads are shared by the workers: each site's is encoded the first time it is picked
        // (two workers racing to encode one write the same bytes).
        var heads = new byte[workload.Sites.Count][];
        var maxBody = Workload.MaxBodyBytes(batchSize);
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var local = new LoadResult();
            using var connection = new RawHttpConnection(ingest);
            var random = new Random(w * 7919 + batchSize);
            var recent = new Guid[4096];
            var recentCount = 0;
            while (stopwatch.Elapsed < duration && !ct.IsCancellationRequested && !stop.IsCancellationRequested)
            {
                long intended;
                if (intervalTicks > 0)
                {
                    var k = Interlocked.Increment(ref scheduled) - 1;
                    intended = (long)(k * intervalTicks);
                    var wait = intended - stopwatch.ElapsedTicks;
                    if (intended > duration.TotalSeconds * Stopwatch.Frequency)
                    {
                        break;
                    }
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
                    }
                }
                else
                {
                    intended = stopwatch.ElapsedTicks;
                }
                if (intervalTicks > 0)
                {
                    local.SendLateMs.Add(Math.Max(0, stopwatch.ElapsedTicks - intended) * 1000.0 / Stopwatch.Frequency);
                }
                var site = workload.PickSiteIndex(random);
                var head = heads[site] ??= RawHttpConnection.HeadPrefix(ingest, "/v1/events", workload.Sites[site].WriteKey);
                var length = workload.WriteBody(connection.Body(maxBody), random, site, batchSize, recent, ref recentCount);
                var (status, accepted) = await connection.PostAsync(head, length, ct);
                var latencyMs = (stopwatch.ElapsedTicks - intended) * 1000.0 / Stopwatch.Frequency;
                local.Requests++;
                local.SentEvents += batchSize;
                local.AcceptedEvents += accepted;
                local.ByStatus[status] = local.ByStatus.GetValueOrDefault(status) + 1;
                if (status != 202)
                {
                    local.Failures++;
                }
                local.LatenciesMs.Add(latencyMs);
                if (intervalTicks > 0 && latencyMs > LoadResult.SlowMs)
                {
                    var second = (int)(intended / Stopwatch.Frequency);
                    local.SlowBySecond[second] = local.SlowBySecond.GetValueOrDefault(second) + 1;
                }
                Progress.Record(accepted, status == 202);
                Interlocked.Add(ref _accepted, accepted);
                if (status == 503 && intervalTicks == 0 && connection.RetryAfterSeconds > 0)
                {
                    local.RetryAfterWaits++;
                    await WaitOutAsync(TimeSpan.FromSeconds(connection.RetryAfterSeconds), duration - stopwatch.Elapsed, stop, ct);
                }
            }
            return local;
        }, ct)).ToArray();

        foreach (var result in await Task.WhenAll(workers))
        {
            total.Merge(result);
        }
        total.Seconds = stopwatch.Elapsed.TotalSeconds;
        await progressCts.CancelAsync();
        await progress;
        return total;
    }

    /// <summary>The server's Retry-After, cut short by the end of the run or its stop.</summary>
    private static async Task WaitOutAsync(TimeSpan retryAfter, TimeSpan left, CancellationToken stop, CancellationToken ct)
    {
        var wait = retryAfter < left ? retryAfter : left;
        if (wait <= TimeSpan.Zero)
        {
            return;
        }
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, ct);
        try
        {
            await Task.Delay(wait, either.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }
}
