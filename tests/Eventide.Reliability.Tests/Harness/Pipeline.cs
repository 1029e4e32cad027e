using System.Globalization;
using Eventide.Testing;

namespace Eventide.Reliability.Tests.Harness;

/// <summary>
/// The roles as separate `eventide` processes on loopback against one database:
/// the ingestion on a fixed port (so a restarted one serves the same address)
/// and any number of processors. Everything it started is killed on dispose.
/// </summary>
public sealed class Pipeline(string connectionString) : IAsyncDisposable
{
    public const string AdminToken = "reliability-admin-token-5f1c";

    private readonly List<EventideProcess> _started = [];
    private readonly List<EventideProcess> _processors = [];
    private int? _seedPort;

    public int IngestionPort { get; } = EventideProcess.FreePort();

    public Uri IngestionAddress => new($"http://127.0.0.1:{IngestionPort}");

    public string ConnectionString { get; } = connectionString;

    /// <summary>The processors started and not yet exited.</summary>
    public IReadOnlyList<EventideProcess> Processors => [.. _processors.Where(p => !p.HasExited)];

    /// <summary>Settings every process gets: the test's shard count, small quick batches, no rate limit.</summary>
    public static Dictionary<string, string> Environment(int shards = ShardedDatabase.Shards) => new()
    {
        ["Eventide__Shards"] = shards.ToString(CultureInfo.InvariantCulture),
        ["Eventide__Admin__Token"] = AdminToken,
        ["Eventide__Ingestion__RateLimitPerSecond"] = "0",
        ["Eventide__Processor__FlushIntervalMs"] = "50",
        ["Eventide__Processor__BatchSize"] = "500",
    };

    public async Task<EventideProcess> StartIngestionAsync()
    {
        var process = await EventideProcess.StartAsync(ConnectionString, "ingestion", Environment(), IngestionPort);
        _started.Add(process);
        return process;
    }

    /// <summary>
    /// Starts a processor on its own free remoting port. The first one joins
    /// itself and is the seed of the others; with <paramref name="ownCluster"/>
    /// it joins itself whatever ran before (a second cluster: a split brain).
    /// <paramref name="settings"/> are added to (or override) the usual ones.
    /// </summary>
    public async Task<EventideProcess> StartProcessorAsync(bool ownCluster = false, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = EventideProcess.FreePort();
        var seed = ownCluster ? null : _seedPort;
        var environment = Environment();
        foreach (var (key, value) in ClusterView.Member(port, seed).Concat(settings ?? new Dictionary<string, string>()))
        {
            environment[key] = value;
        }
        var process = await EventideProcess.StartAsync(ConnectionString, "processor", environment);
        _seedPort ??= port;
        _started.Add(process);
        _processors.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _started)
        {
            await process.DisposeAsync();
        }
    }
}
