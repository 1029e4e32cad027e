using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Eventide.Query.Contracts;
using Eventide.Query.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Eventide.Query.Apis;

/// <summary>Server-sent events with the number of events per second.</summary>
public static class LiveApi
{
    public const int MaxSeconds = 86_400;

    /// <summary>
    /// How long after a second ends its count is taken. Events reach the
    /// events table after the ingestion commit and the processor's flush
    /// (about 200 ms by default); counting at once would miss most of them.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    private static int _openStreams;

    /// <summary>Streams being served now by this process.</summary>
    internal static int OpenStreams => Volatile.Read(ref _openStreams);

    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/sites/{site}/live", StreamAsync)
            .WithTags("Live")
            .WithName("StreamLive")
            .WithSummary("Server-sent events: every second, data: {\"ts\", \"events\"} with the events whose time falls in that second.")
            .WithDescription("text/event-stream from the raw events table (index on site_id, time). Each second is counted 0.5 s after it ends. Ends when the client disconnects, or after `seconds` messages.")
            .Produces<LiveCount>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesQueryProblems();
        return endpoints;
    }

    private static async Task<IResult> StreamAsync(
        string site,
        [Description("Stop after this many messages (1-86400); without it the stream runs until the client disconnects.")] string? seconds,
        HttpContext context, SiteAccess access, AnalyticsStore store, QueryMetrics metrics, TimeProvider time,
        IHostApplicationLifetime lifetime, ILoggerFactory loggers, CancellationToken ct)
    {
        if (await access.CheckAsync(context, site, ct) is { } denied)
        {
            return denied;
        }
        var max = int.MaxValue;
        if (seconds is not null && (!int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > MaxSeconds))
        {
            return Problems.BadRequest($"'seconds' must be an integer from 1 to {MaxSeconds}; got '{seconds}'.");
        }
        var logger = loggers.CreateLogger("Eventide.Query.Live");
        // End the stream on shutdown too, or the host waits for it until its shutdown timeout.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(stop.Token);
        Log.LiveStarted(logger, site);
        Interlocked.Increment(ref _openStreams);
        metrics.LiveStreams.Add(1);
        var sent = 0;
        try
        {
            // Start with the latest second already due, so the first message comes at once.
            var graced = time.GetUtcNow() - Grace;
            var start = new DateTimeOffset(graced.UtcTicks - (graced.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero) - TimeSpan.FromSeconds(1);
            while (sent < max)
            {
                var wait = start + TimeSpan.FromSeconds(1) + Grace - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stop.Token);
                }
                var count = await store.CountAsync(site, new TimeRange(start, start + TimeSpan.FromSeconds(1)), stop.Token);
                var json = JsonSerializer.Serialize(new LiveCount(start, count));
                await response.WriteAsync($"data: {json}\n\n", stop.Token);
                await response.Body.FlushAsync(stop.Token);
                sent++;
                start += TimeSpan.FromSeconds(1);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the host is stopping: a normal end of a stream.
        }
        finally
        {
            Interlocked.Decrement(ref _openStreams);
            metrics.LiveStreams.Add(-1);
        }
        Log.LiveEnded(logger, site, sent);
        return Results.Empty;
    }
}
