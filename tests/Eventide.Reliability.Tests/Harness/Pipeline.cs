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

    public int IngestionPort { get; } = EventideProcess.FreePort();

    public Uri IngestionAddress => new($"http://127.0.0.1:{IngestionPort}");

    public string ConnectionString { get; } = connectionString;

    /// <summary>Settings every process gets: the test's shard count, quick heartbeats, no rate limit.</summary>
    public static Dictionary<string, string> Environment(int shards = ShardedDatabase.Shards) => new()
    {
        ["Eventide__Shards"] = shards.ToString(CultureInfo.InvariantCulture),
        ["Eventide__Admin__Token"] = AdminToken,
        ["Eventide__Ingestion__RateLimitPerSecond"] = "0",
        ["Eventide__Processor__HeartbeatIntervalMs"] = "300",
        ["Eventide__Processor__HeartbeatTimeoutMs"] = "1500",
        ["Eventide__Processor__FlushIntervalMs"] = "50",
        ["Eventide__Processor__BatchSize"] = "500",
    };

    public async Task<EventideProcess> StartIngestionAsync()
    {
        var process = await EventideProcess.StartAsync(ConnectionString, "ingestion", Environment(), IngestionPort);
        _started.Add(process);
        return process;
    }

    public async Task<EventideProcess> StartProcessorAsync()
    {
        var process = await EventideProcess.StartAsync(ConnectionString, "processor", Environment());
        _started.Add(process);
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
