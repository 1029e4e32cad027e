using System.Net.Http.Headers;
using System.Text.Json;
using Eventide.Core;
using Eventide.Query.Apis;
using Eventide.Testing.Dataset;

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
