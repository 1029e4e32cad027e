using System.ComponentModel;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Eventide.Query.Contracts;
using Eventide.Query.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Eventide.Query.Apis;

/// <summary>
/// Live counts per second and the live feed of recent events, each as server-sent events or
/// over a WebSocket with the same JSON payloads (one text message per SSE data line).
/// </summary>
public static class LiveApi
{
    public const int MaxSeconds = 86_400;

    /// <summary>How long a WebSocket close handshake may take before the connection is aborted.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private static int _openStreams;

    /// <summary>Streams being served now by this process.</summary>
    internal static int OpenStreams => Volatile.Read(ref _openStreams);

    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapSiteGroup("Live");
        group.MapGet("/live", CountsAsync)
            .WithName("StreamLive")
            .WithSummary("Every second, {\"ts\", \"events\"} with the events whose time falls in that second: server-sent events, or WebSocket text messages when the request is a WebSocket upgrade.")
            .WithDescription("From the raw events table (index on site_id, time), read once per second per site however many clients listen. Each second is counted 0.5 s after it ends. A client that falls more than Eventide:Query:LiveBufferMessages messages behind is disconnected. Ends when the client disconnects, or after `seconds` messages.")
            .Produces<LiveCount>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesQueryProblems();
        group.MapGet("/live/feed", FeedAsync)
            .WithName("StreamLiveFeed")
            .WithSummary("The live feed: each new event (time, event_id, name, path, referrer, user_id, session_id, properties, received_at) as it is stored, as server-sent events or WebSocket text messages.")
            .WithDescription("Read once per second per site, 0.5 s after the second ends, at most 100 events per second (the newest). A client that falls more than Eventide:Query:LiveBufferMessages messages plus one second of the feed (100) behind is disconnected.")
            .Produces<StoredEvent>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesQueryProblems();
        return endpoints;
    }

    private static Task<IResult> CountsAsync(
        [Description("The site id.")] string site,
        [Description("Stop after this many messages (1-86400); without it the stream runs until the client disconnects.")] string? seconds,
        HttpContext context, LiveHub hub, QueryMetrics metrics, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        var max = int.MaxValue;
        if (seconds is not null && (!int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > MaxSeconds))
        {
            return Task.FromResult(Problems.BadRequest($"'seconds' must be an integer from 1 to {MaxSeconds}; got '{seconds}'."));
        }
        return ServeAsync(context, site, LiveKind.Counts, max, hub, metrics, lifetime, loggers);
    }

    private static Task<IResult> FeedAsync([Description("The site id.")] string site, HttpContext context, LiveHub hub, QueryMetrics metrics, IHostApplicationLifetime lifetime, ILoggerFactory loggers) =>
        ServeAsync(context, site, LiveKind.Feed, int.MaxValue, hub, metrics, lifetime, loggers);

    private static async Task<IResult> ServeAsync(HttpContext context, string site, LiveKind kind, int max,
        LiveHub hub, QueryMetrics metrics, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Eventide.Query.Live");
        // End the stream on shutdown too, or the host waits for it until its shutdown timeout.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        WebSocket? socket = null;
        if (context.WebSockets.IsWebSocketRequest)
        {
            socket = await context.WebSockets.AcceptWebSocketAsync();
        }
        else
        {
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            await response.Body.FlushAsync(stop.Token);
        }
        Log.LiveStarted(logger, site);
        Interlocked.Increment(ref _openStreams);
        metrics.LiveStreams.Add(1);
        var sent = 0;
        using var subscription = hub.Subscribe(site, kind);
        using var dropped = subscription.Dropped.Register(stop.Cancel);
        try
        {
            if (socket is not null)
            {
                // The client sends nothing but a close; reading notices it and ends the stream.
                _ = WatchForCloseAsync(socket, stop);
            }
            while (sent < max && await subscription.Messages.WaitToReadAsync(stop.Token))
            {
                while (sent < max && subscription.Messages.TryRead(out var json))
                {
                    if (socket is not null)
                    {
                        await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, stop.Token);
                    }
                    else
                    {
                        await context.Response.WriteAsync($"data: {json}\n\n", stop.Token);
                        await context.Response.Body.FlushAsync(stop.Token);
                    }
                    sent++;
                }
            }
            if (socket is { State: WebSocketState.Open })
            {
                using var closing = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                closing.CancelAfter(CloseTimeout);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, sent < max ? "stream ended" : "done", closing.Token);
            }
        }
        catch (ChannelClosedException ex) when (ex.InnerException is LiveDroppedException)
        {
            // Too slow: abort rather than wait on a client that is not reading.
            socket?.Abort();
            context.Abort();
        }
        catch (OperationCanceledException) when (subscription.Dropped.IsCancellationRequested)
        {
            // Too slow, and stuck writing to it: abort the connection.
            socket?.Abort();
            context.Abort();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away, closed its WebSocket, or the host is stopping: a normal end of a stream.
            await AnswerCloseAsync(socket);
        }
        catch (WebSocketException)
        {
            // The client closed the socket without a handshake: a normal end too.
        }
        finally
        {
            Interlocked.Decrement(ref _openStreams);
            metrics.LiveStreams.Add(-1);
        }
        Log.LiveEnded(logger, site, sent);
        return Results.Empty;
    }

    /// <summary>Completes the close handshake a client started, so its CloseAsync returns normally.</summary>
    private static async Task AnswerCloseAsync(WebSocket? socket)
    {
        if (socket is not { State: WebSocketState.CloseReceived })
        {
            return;
        }
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed by the client", timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            socket.Abort();
        }
    }

    private static async Task WatchForCloseAsync(WebSocket socket, CancellationTokenSource stop)
    {
        var buffer = new byte[256];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The stream is ending anyway.
        }
        try
        {
            await stop.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The stream ended first.
        }
    }
}
