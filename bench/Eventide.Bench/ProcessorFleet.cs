using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Eventide.Bench;

/// <summary>
/// Processor members the bench starts itself, beside the one scripts/bench started: each is
/// <c>eventide run --roles processor</c> (<see cref="RoleProcess"/>) on its own HTTP and remoting port, joining the first
/// member as its seed, so together they form one Akka cluster and share the shards. They
/// inherit the script's environment (the database, the admin token). Stopped (SIGTERM, so
/// they hand their shards back) on dispose.
/// </summary>
public sealed class ProcessorFleet(string eventideDll, string seedNode, Uri firstMember, string adminToken) : IAsyncDisposable
{
    private readonly List<RoleProcess> _started = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Every member's HTTP address, the first one included.</summary>
    public IReadOnlyList<Uri> Members => [firstMember, .. _started.Select(s => s.Url)];

    /// <summary>Samplers of the members the bench started (the first one is sampled by the caller).</summary>
    public IReadOnlyList<ProcessSampler> Samplers => [.. _started.Select(s => s.Sampler)];

    /// <summary>Starts one more member and waits for its /healthz.</summary>
    public async Task AddAsync(CancellationToken ct)
    {
        _started.Add(await RoleProcess.StartAsync(eventideDll, "processor", $"processor {_started.Count + 2}", new Dictionary<string, string?>
        {
            ["Eventide__Cluster__Hostname"] = "127.0.0.1",
            ["Eventide__Cluster__Port"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Eventide__Cluster__SeedNodes"] = seedNode,
        }, ct));
    }

    /// <summary>
    /// Waits until the first member sees <paramref name="members"/> members up and every shard
    /// held exactly once, by as many distinct members (the coordinator rebalances a few shards
    /// at a time). Returns the shards each member holds, or null at the deadline.
    /// </summary>
    public async Task<Dictionary<string, int>?> AwaitBalancedAsync(int members, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var view = await ReadClusterAsync(ct);
            if (view is { } v && v.Up == members && v.Holders.Count == members && v.Shards == v.Total && v.Duplicates == 0
                && v.Holders.Values.Max() - v.Holders.Values.Min() <= 1)
            {
                return v.Holders;
            }
            Progress.Status($"waiting for {members} balanced processors: {(view is { } w ? $"{w.Up} up, shards by member {string.Join('/', w.Holders.Values)}" : "no answer")}");
            await Task.Delay(500, ct);
        }
        Console.Error.WriteLine();
        return null;
    }

    private async Task<(int Up, int Total, int Shards, int Duplicates, Dictionary<string, int> Holders)?> ReadClusterAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(firstMember, "/v1/admin/cluster"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        try
        {
            using var response = await _http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = body.RootElement;
            var up = root.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up");
            var placements = root.GetProperty("shards").EnumerateArray()
                .Select(s => (Shard: s.GetProperty("shard").GetInt32(), Member: s.GetProperty("member").GetString()!)).ToList();
            var distinct = placements.Select(p => p.Shard).Distinct().Count();
            var holders = placements.GroupBy(p => p.Member).ToDictionary(g => g.Key, g => g.Count());
            return (up, root.GetProperty("shards_total").GetInt32(), distinct, placements.Count - distinct, holders);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A free loopback TCP port (the listener is closed again at once).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the members the bench started, the newest first, each after handing off its shards.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].DisposeAsync();
        }
        _started.Clear();
        _http.Dispose();
    }
}
