using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Eventide.Reliability.Tests.Harness;

/// <summary>
/// A bounded load: <see cref="Clients"/> concurrent clients each posting batches of
/// events with client-chosen event ids, at most <see cref="MaxRequestsPerClient"/>
/// batches each, until stopped. It records every id it sent, every id a 202
/// acknowledged, and every answer with its client-side latency.
/// A retrying client re-sends the same batch (same ids) after a 503, a client
/// timeout or a connection error until it is acknowledged.
/// </summary>
public sealed class LoadGenerator(Uri ingestion, string site, string writeKey) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 64,
        ConnectTimeout = TimeSpan.FromSeconds(2),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, byte> _sent = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _acknowledged = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Outcome> _outcomes = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private int _timeouts;
    private int _inFlight;
    private int _abandoned;

    public int Clients { get; init; } = 4;

    public int BatchSize { get; init; } = 10;

    public int MaxRequestsPerClient { get; init; } = 2000;

    /// <summary>Pause between a client's requests: keeps the load well below saturation on a shared 2-core machine.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(10);

    public bool Retry { get; init; }

    /// <summary>Share of events that repeat an id this client sent before, with another timestamp (stored once all the same).</summary>
    public double DuplicateShare { get; init; }

    /// <summary>The client timeout of one attempt; retrying clients may draw a short one to provoke lost answers.</summary>
    public Func<Random, TimeSpan> AttemptTimeout { get; init; } = _ => TimeSpan.FromSeconds(5);

    /// <summary>A retrying client gives a batch up after this long (bounds the test).</summary>
    public TimeSpan RetryDeadline { get; init; } = TimeSpan.FromSeconds(60);

    public string Site => site;

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<string> Sent => (IReadOnlyCollection<string>)_sent.Keys;

    public IReadOnlyCollection<string> Acknowledged => (IReadOnlyCollection<string>)_acknowledged.Keys;

    public int AcknowledgedCount => _acknowledged.Count;

    public IReadOnlyList<Outcome> Outcomes => [.. _outcomes];

    /// <summary>Things a client saw that are wrong whatever the fault: a 500, a 202 naming other ids.</summary>
    public IReadOnlyList<string> Violations => [.. _violations];

    /// <summary>Attempts that ended in a client timeout (the server may still have committed them).</summary>
    public int Timeouts => Volatile.Read(ref _timeouts);

    /// <summary>Batches a retrying client gave up on (never acknowledged).</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>Requests sent and not yet answered.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientAsync(c, stop), CancellationToken.None)));

    private async Task ClientAsync(int client, CancellationToken stop)
    {
        var random = new Random(client * 7919 + 17);
        List<string> previous = [];
        for (var n = 0; n < MaxRequestsPerClient && !stop.IsCancellationRequested; n++)
        {
            var events = Enumerable.Range(0, BatchSize)
                .Select(i => previous.Count > 0 && random.NextDouble() < DuplicateShare
                    ? (Id: previous[random.Next(previous.Count)], Timestamp: DateTimeOffset.UtcNow.AddSeconds(-1 - random.Next(600)).ToString("O", CultureInfo.InvariantCulture))
                    : (Id: string.Create(CultureInfo.InvariantCulture, $"{site}-{client}-{n}-{i}"), Timestamp: (string?)null))
                .ToList();
            var ids = events.Select(e => e.Id).ToList();
            previous = ids;
            var body = "[" + string.Join(',', events.Select(e => e.Timestamp is { } at
                ? $"{{\"site_id\":\"{site}\",\"name\":\"load\",\"path\":\"/r/{client}\",\"event_id\":\"{e.Id}\",\"timestamp\":\"{at}\"}}"
                : $"{{\"site_id\":\"{site}\",\"name\":\"load\",\"path\":\"/r/{client}\",\"event_id\":\"{e.Id}\"}}")) + "]";
            foreach (var id in ids)
            {
                _sent.TryAdd(id, 0);
            }
            var deadline = _clock.Elapsed + RetryDeadline;
            while (true)
            {
                var acknowledged = await SendAsync(body, ids, random);
                if (acknowledged || !Retry)
                {
                    break;
                }
                if (_clock.Elapsed > deadline)
                {
                    Interlocked.Increment(ref _abandoned);
                    break;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(50 + random.Next(100)), CancellationToken.None);
            }
            if (Pause > TimeSpan.Zero)
            {
                await Task.Delay(Pause, CancellationToken.None);
            }
        }
    }

    /// <summary>One attempt; true when it was acknowledged.</summary>
    private async Task<bool> SendAsync(string body, List<string> ids, Random random)
    {
        var started = _clock.Elapsed;
        using var timeout = new CancellationTokenSource(AttemptTimeout(random));
        Interlocked.Increment(ref _inFlight);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingestion, "/v1/events"))
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", writeKey);
            using var response = await _http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            _outcomes.Enqueue(new Outcome(started, _clock.Elapsed - started, status, response.Headers.RetryAfter is not null));
            if (status >= 500 && status != 503)
            {
                _violations.Enqueue($"{status} at {started.TotalSeconds:F2} s: {text}");
            }
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return false;
            }
            using var doc = JsonDocument.Parse(text);
            var echoed = doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToList();
            if (!echoed.SequenceEqual(ids))
            {
                _violations.Enqueue($"202 named other ids than sent: {text}");
            }
            foreach (var id in echoed)
            {
                _acknowledged.TryAdd(id, 0);
            }
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            // No answer: refused, reset by a killed server, or our own timeout. Never acknowledged.
            if (timeout.IsCancellationRequested)
            {
                Interlocked.Increment(ref _timeouts);
            }
            _outcomes.Enqueue(new Outcome(started, _clock.Elapsed - started, 0, false));
            return false;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public void Dispose() => _http.Dispose();
}
