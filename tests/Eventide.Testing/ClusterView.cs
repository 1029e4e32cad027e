using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Eventide.Testing;

/// <summary>
/// One member's answer to GET /v1/admin/cluster: its address, the members it
/// sees (address → status), the ones its failure detector finds unreachable,
/// and which member holds each shard.
/// </summary>
public sealed record ClusterView(string Self, IReadOnlyDictionary<string, string> Members, IReadOnlyList<(int Shard, string Member)> Placements)
{
    /// <summary>Members this one's failure detector finds unreachable.</summary>
    public IReadOnlySet<string> Unreachable { get; init; } = new HashSet<string>();

    /// <summary>Settings that place a processor at <paramref name="port"/> and join it to the seed at <paramref name="seedPort"/> (itself when null).</summary>
    public static Dictionary<string, string> Member(int port, int? seedPort) => new()
    {
        ["Eventide__Cluster__Hostname"] = "127.0.0.1",
        ["Eventide__Cluster__Port"] = port.ToString(CultureInfo.InvariantCulture),
        ["Eventide__Cluster__SeedNodes"] = seedPort is { } seed ? Address(seed) : "",
    };

    public static string Address(int port) => $"akka.tcp://eventide@127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The member's view, or null when it does not answer 200 (starting, stopping, gone).</summary>
    public static async Task<ClusterView?> ReadAsync(Uri address, string adminToken)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/cluster");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        try
        {
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = body.RootElement;
            return new ClusterView(
                root.GetProperty("self").GetString()!,
                root.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("address").GetString()!, m => m.GetProperty("status").GetString()!),
                [.. root.GetProperty("shards").EnumerateArray().Select(s => (s.GetProperty("shard").GetInt32(), s.GetProperty("member").GetString()!))])
            {
                Unreachable = root.GetProperty("members").EnumerateArray().Where(m => !m.GetProperty("reachable").GetBoolean())
                    .Select(m => m.GetProperty("address").GetString()!).ToHashSet(),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    public int UpMembers => Members.Values.Count(s => s == "up");

    /// <summary>Shards with a holder.</summary>
    public int HeldShards => Placements.Select(p => p.Shard).Distinct().Count();

    /// <summary>The most members any one shard is placed on (must never exceed 1).</summary>
    public int MaxHoldersPerShard => Placements.Count == 0 ? 0 : Placements.GroupBy(p => p.Shard).Max(g => g.Count());

    public int DistinctHolders => Placements.Select(p => p.Member).Distinct().Count();

    /// <summary>Every one of <paramref name="shards"/> has a holder, and the holders are exactly <paramref name="members"/> many.</summary>
    public bool Settled(int shards, int members) =>
        UpMembers == members && Members.Count == members && HeldShards == shards && MaxHoldersPerShard == 1 && DistinctHolders == Math.Min(members, shards);
}
