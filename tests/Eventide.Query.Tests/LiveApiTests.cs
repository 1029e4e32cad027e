using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Eventide.Core;
using Eventide.Query.Apis;
using Eventide.Query.Live;
using Eventide.Testing.Dataset;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Query.Tests;

public sealed class LiveApiTests(SmallQueryApiFixture fixture) : IClassFixture<SmallQueryApiFixture>
{
    private static readonly string Site = EventDataset.SiteIds[0];

    [Fact]
    public async Task Live_counts_events_per_second_and_moves_when_events_arrive()
    {
        using var http = fixture.Client(fixture.Keys[Site].ReadKey);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.GetAsync(new Uri($"/v1/sites/{Site}/live?seconds=7", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var messages = new List<(DateTimeOffset Ts, long Events)> { await NextAsync(reader, cts.Token) };
        // Events for seconds the stream has not counted yet (it counts a
        // second 0.5 s after it ends, one second per message): their counts
        // must show up exactly in those seconds' messages.
        var first = messages[0].Ts;
        var planned = new Dictionary<DateTimeOffset, int> { [first.AddSeconds(3)] = 3, [first.AddSeconds(4)] = 5, [first.AddSeconds(5)] = 1 };
        var events = planned.SelectMany(p => Enumerable.Range(0, p.Value).Select(i =>
            new EventRecord(Site, "pageview", p.Key.AddMilliseconds(100 * i), Guid.NewGuid().ToString(), "/live", null, "u-live", null, null, p.Key)))
            .Append(new EventRecord(EventDataset.SiteIds[1], "pageview", first.AddSeconds(4), Guid.NewGuid().ToString(), "/", null, null, null, null, first))
            .ToList();
        await EventDataset.InsertAsync(fixture.DataSource, events, cts.Token);

        while (messages.Count < 7)
        {
            messages.Add(await NextAsync(reader, cts.Token));
        }
        Assert.Equal("", (await reader.ReadToEndAsync(cts.Token)).Trim());
        Assert.Equal(Enumerable.Range(0, 7).Select(i => first.AddSeconds(i)), messages.Select(m => m.Ts));
        Assert.Equal(messages.Select(m => (long)planned.GetValueOrDefault(m.Ts)), messages.Select(m => m.Events));
    }

    [Fact]
    public async Task Live_stream_ends_when_the_client_disconnects()
    {
        await Testing.Eventually.WaitAsync(() => Task.FromResult(LiveApi.OpenStreams == 0), TimeSpan.FromSeconds(10), "earlier streams to end");
        using var http = fixture.Client(QueryApiFixture.AdminToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await http.GetAsync(new Uri($"/v1/sites/{Site}/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        await NextAsync(reader, cts.Token);
        Assert.Equal(1, LiveApi.OpenStreams);
        reader.Dispose();
        response.Dispose();
        await Testing.Eventually.WaitAsync(() => Task.FromResult(LiveApi.OpenStreams == 0), TimeSpan.FromSeconds(10), "the server to end the stream");
    }

    [Fact]
    public async Task WebSocket_and_sse_clients_see_the_same_counts_and_feed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var site = EventDataset.SiteIds[2];
        using var http = fixture.Client(fixture.Keys[site].ReadKey);
        using var sse = await http.GetAsync(new Uri($"/v1/sites/{site}/live?seconds=8", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        sse.EnsureSuccessStatusCode();
        using var sseReader = new StreamReader(await sse.Content.ReadAsStreamAsync(cts.Token));
        using var sseFeed = await http.GetAsync(new Uri($"/v1/sites/{site}/live/feed", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        sseFeed.EnsureSuccessStatusCode();
        using var sseFeedReader = new StreamReader(await sseFeed.Content.ReadAsStreamAsync(cts.Token));
        using var ws = await ConnectAsync($"/v1/sites/{site}/live?seconds=8", fixture.Keys[site].ReadKey, cts.Token);
        using var wsFeed = await ConnectAsync($"/v1/sites/{site}/live/feed", fixture.Keys[site].ReadKey, cts.Token);

        var sseCounts = new List<string> { await NextDataAsync(sseReader, cts.Token) };
        var wsCounts = new List<string> { await ReceiveAsync(ws, cts.Token) };
        var first = new[] { sseCounts[0], wsCounts[0] }.Select(Ts).Max();
        var events = Enumerable.Range(0, 6).Select(i => new EventRecord(site, i % 2 == 0 ? "pageview" : "purchase", first.AddSeconds(2 + (i % 3)).AddMilliseconds(50 * i),
            $"live-{i}", "/live", null, $"u-{i}", null, """{"country":"DE"}""", first)).ToList();
        await EventDataset.InsertAsync(fixture.DataSource, events, cts.Token);

        while (sseCounts.Count < 8)
        {
            sseCounts.Add(await NextDataAsync(sseReader, cts.Token));
        }
        while (wsCounts.Count < 8)
        {
            wsCounts.Add(await ReceiveAsync(ws, cts.Token));
        }
        // Both streams come from one pump: where their seconds overlap, the payloads are identical.
        var common = sseCounts.Select(Ts).Intersect(wsCounts.Select(Ts)).ToList();
        // The later stream may have joined the pump up to two ticks after the first; the planned
        // seconds (first + 2 … first + 4) lie in both.
        Assert.True(common.Count >= 6, $"{common.Count} common seconds");
        Assert.Equal(sseCounts.Where(m => common.Contains(Ts(m))), wsCounts.Where(m => common.Contains(Ts(m))));
        var expected = events.GroupBy(e => e.Timestamp.AddTicks(-(e.Timestamp.UtcTicks % TimeSpan.TicksPerSecond))).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(common.Select(t => expected.GetValueOrDefault(t)), sseCounts.Where(m => common.Contains(Ts(m))).Select(Count));
        Assert.Equal(WebSocketMessageType.Close, (await ws.ReceiveAsync(new byte[64], cts.Token)).MessageType);

        var sseFeedIds = new List<string>();
        var wsFeedIds = new List<string>();
        while (sseFeedIds.Count < events.Count)
        {
            using var doc = JsonDocument.Parse(await NextDataAsync(sseFeedReader, cts.Token));
            sseFeedIds.Add(doc.RootElement.GetProperty("event_id").GetString()!);
            Assert.Equal("/live", doc.RootElement.GetProperty("path").GetString());
            Assert.Equal("DE", doc.RootElement.GetProperty("properties").GetProperty("country").GetString());
        }
        while (wsFeedIds.Count < events.Count)
        {
            using var doc = JsonDocument.Parse(await ReceiveAsync(wsFeed, cts.Token));
            wsFeedIds.Add(doc.RootElement.GetProperty("event_id").GetString()!);
        }
        var inserted = events.OrderBy(e => e.Timestamp).Select(e => e.EventId).ToList();
        Assert.Equal(inserted, sseFeedIds);
        Assert.Equal(inserted, wsFeedIds);
        await wsFeed.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
    }

    [Fact]
    public async Task Slow_live_consumers_are_dropped_while_a_reading_client_keeps_receiving()
    {
        await Testing.Eventually.WaitAsync(() => Task.FromResult(LiveApi.OpenStreams == 0), TimeSpan.FromSeconds(10), "earlier streams to end");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var site = EventDataset.SiteIds[3];
        var key = fixture.Keys[site].ReadKey;
        var hub = fixture.Services.GetRequiredService<LiveHub>();
        var droppedBefore = hub.Dropped;
        using var http = fixture.Client(key);
        using var fast = await http.GetAsync(new Uri($"/v1/sites/{site}/live/feed", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        fast.EnsureSuccessStatusCode();
        var fastIds = new List<string>();
        var fastReader = Task.Run(async () =>
        {
            using var reader = new StreamReader(await fast.Content.ReadAsStreamAsync(cts.Token));
            while (true)
            {
                using var doc = JsonDocument.Parse(await NextDataAsync(reader, cts.Token));
                lock (fastIds)
                {
                    fastIds.Add(doc.RootElement.GetProperty("event_id").GetString()!);
                }
            }
        }, cts.Token);

        // The slow clients read nothing, over sockets with a small receive buffer: the server's
        // writes stall once the kernel buffers fill, and their queues fill behind them.
        using var slowHandler = SmallReceiveBuffer();
        using var slowHttp = new HttpClient(slowHandler) { BaseAddress = fixture.Address, Timeout = Timeout.InfiniteTimeSpan };
        slowHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var slowSse = await slowHttp.GetAsync(new Uri($"/v1/sites/{site}/live/feed", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        slowSse.EnsureSuccessStatusCode();
        using var slowWs = new ClientWebSocket();
        slowWs.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        using var invoker = new HttpMessageInvoker(SmallReceiveBuffer());
        await slowWs.ConnectAsync(new UriBuilder(new Uri(fixture.Address, $"/v1/sites/{site}/live/feed")) { Scheme = "ws" }.Uri, invoker, cts.Token);
        await Testing.Eventually.WaitAsync(() => Task.FromResult(LiveApi.OpenStreams == 3), TimeSpan.FromSeconds(10), "three feed streams");

        // Each second gets 20 events of 50 kB until both slow clients are dropped, then three
        // more seconds: the reading client must get them all. Few large messages fill the slow
        // sockets quickly while leaving the reader seconds of slack on a busy machine.
        const int perSecond = 20;
        var padding = new string('x', 50_000);
        var inserted = new List<EventRecord>();
        var second = DateTimeOffset.UtcNow;
        second = second.AddTicks(-(second.UtcTicks % TimeSpan.TicksPerSecond)).AddSeconds(1);
        int? afterDrop = null;
        while (afterDrop is null or > 0)
        {
            var batch = Enumerable.Range(0, perSecond).Select(i => new EventRecord(site, "pageview", second.AddMilliseconds(20 * i),
                $"slow-{second.ToUnixTimeSeconds()}-{i:D3}", "/slow", null, "u-slow", null, $$"""{"pad":"{{padding}}"}""", second)).ToList();
            await EventDataset.InsertAsync(fixture.DataSource, batch, cts.Token);
            inserted.AddRange(batch);
            if (afterDrop is null && hub.Dropped - droppedBefore >= 2)
            {
                afterDrop = 3;
            }
            else if (afterDrop is not null)
            {
                afterDrop--;
            }
            Assert.True(inserted.Count < 60 * perSecond, $"the slow clients were not dropped within 60 s ({hub.Dropped - droppedBefore} dropped)");
            // Pace the producer to the feed: the next second is filled while it is still ahead.
            var next = second.AddSeconds(1);
            await Task.Delay(Max(TimeSpan.Zero, next - DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(500)), cts.Token);
            second = next;
        }

        var expected = inserted.Select(e => e.EventId).ToList();
        await Testing.Eventually.WaitAsync(() =>
        {
            lock (fastIds)
            {
                return Task.FromResult(fastIds.Count >= expected.Count);
            }
        }, TimeSpan.FromSeconds(30), $"the reading client to receive all {expected.Count} events");
        lock (fastIds)
        {
            Assert.Equal(expected, fastIds);
        }
        Assert.False(fastReader.IsCompleted);
        Assert.Equal(2, hub.Dropped - droppedBefore);
        await Testing.Eventually.WaitAsync(() => Task.FromResult(LiveApi.OpenStreams == 1), TimeSpan.FromSeconds(10), "the dropped streams to end");

        // Both slow connections were ended by the server before they had everything.
        var wsReceived = await DrainAsync(slowWs, cts.Token);
        Assert.True(wsReceived < expected.Count, $"the WebSocket client got {wsReceived} of {expected.Count} messages");
        var sseReceived = await DrainAsync(await slowSse.Content.ReadAsStreamAsync(cts.Token), cts.Token);
        Assert.True(sseReceived < expected.Count, $"the SSE client got {sseReceived} of {expected.Count} messages");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fastReader);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>A handler whose sockets have a 4 kB receive buffer (set before connecting, so the window stays small).</summary>
    private static SocketsHttpHandler SmallReceiveBuffer() => new()
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>Reads what a dropped WebSocket still delivers; returns the complete messages before it ended.</summary>
    private static async Task<int> DrainAsync(ClientWebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var messages = 0;
        try
        {
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return messages;
                }
                messages += result.EndOfMessage ? 1 : 0;
            }
        }
        catch (WebSocketException)
        {
            return messages;
        }
    }

    /// <summary>Reads what a dropped SSE stream still delivers; returns the complete messages before it ended.</summary>
    private static async Task<int> DrainAsync(Stream stream, CancellationToken ct)
    {
        var messages = 0;
        try
        {
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                messages += line.StartsWith("data: ", StringComparison.Ordinal) ? 1 : 0;
            }
        }
        catch (IOException)
        {
            // Aborted by the server: what arrived before counts.
        }
        catch (HttpRequestException)
        {
            // Aborted by the server: what arrived before counts.
        }
        return messages;
    }

    private static DateTimeOffset Ts(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("ts").GetDateTimeOffset();
    }

    private static long Count(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("events").GetInt64();
    }

    private async Task<ClientWebSocket> ConnectAsync(string path, string key, CancellationToken ct)
    {
        var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        var uri = new UriBuilder(new Uri(fixture.Address, path)) { Scheme = "ws" }.Uri;
        await ws.ConnectAsync(uri, ct);
        return ws;
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer.AsMemory(total), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("the socket closed early");
            }
            total += result.Count;
            if (result.EndOfMessage)
            {
                return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
            }
        }
    }

    private static async Task<string> NextDataAsync(StreamReader reader, CancellationToken ct)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(ct) ?? throw new InvalidOperationException("the stream ended early");
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return line["data: ".Length..];
            }
        }
    }

    private static async Task<(DateTimeOffset Ts, long Events)> NextAsync(StreamReader reader, CancellationToken ct)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(ct) ?? throw new InvalidOperationException("the stream ended early");
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var doc = JsonDocument.Parse(line["data: ".Length..]);
                return (doc.RootElement.GetProperty("ts").GetDateTimeOffset(), doc.RootElement.GetProperty("events").GetInt64());
            }
        }
    }
}
