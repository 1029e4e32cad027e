using System.Text.Json;
using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class WorkloadTests
{
    private static readonly (string, string)[] Sites = [("bench-000000", "k0"), ("bench-000001", "k1"), ("site.with-64-chars_" + new string('x', 45), "k2")];

    [Fact]
    public void WriteBody_writes_a_json_array_of_the_requested_events_for_the_site()
    {
        var workload = new Workload(Sites, duplicateShare: 0);
        var random = new Random(1);
        var recent = new Guid[16];
        var recentCount = 0;
        var buffer = new byte[Workload.MaxBodyBytes(50)];

        var length = workload.WriteBody(buffer, random, 2, 50, recent, ref recentCount);

        using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
        var events = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(50, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal(Sites[2].Item1, e.GetProperty("site_id").GetString());
            Assert.Contains(e.GetProperty("name").GetString(), new[] { "pageview", "click", "signup", "purchase" });
            Assert.StartsWith("/p/", e.GetProperty("path").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("u", e.GetProperty("user_id").GetString(), StringComparison.Ordinal);
            Assert.InRange(e.GetProperty("properties").GetProperty("value").GetInt32(), 0, 999);
            Assert.Contains(e.GetProperty("properties").GetProperty("plan").GetString(), new[] { "free", "pro" });
        });
        var ids = events.Select(e => Guid.Parse(e.GetProperty("event_id").GetString()!)).ToList();
        Assert.Equal(50, ids.Distinct().Count());
        Assert.Equal(50, recentCount);
    }

    [Fact]
    public void WriteBody_resends_only_remembered_ids_as_duplicates()
    {
        var workload = new Workload(Sites, duplicateShare: 0.5);
        var random = new Random(7);
        var recent = new Guid[4096];
        var recentCount = 0;
        var buffer = new byte[Workload.MaxBodyBytes(1000)];

        var length = workload.WriteBody(buffer, random, 0, 1000, recent, ref recentCount);

        using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
        var ids = doc.RootElement.EnumerateArray().Select(e => Guid.Parse(e.GetProperty("event_id").GetString()!)).ToList();
        var fresh = ids.Distinct().Count();
        Assert.Equal(recentCount, fresh);
        Assert.InRange(1000 - fresh, 400, 600);
        Assert.All(ids, id => Assert.Contains(id, recent.Take(recentCount)));
    }

    [Fact]
    public void Batch_matches_WriteBody_for_the_same_seed()
    {
        var workload = new Workload(Sites, duplicateShare: 0.1);
        var written = new byte[Workload.MaxBodyBytes(20)];
        var recentA = new Guid[64];
        var countA = 0;
        var length = workload.WriteBody(written, new Random(3), 1, 20, recentA, ref countA);
        var recentB = new Guid[64];
        var countB = 0;

        var batch = workload.Batch(new Random(3), Sites[1].Item1, 20, recentB, ref countB);

        // Fresh ids are time-ordered UUIDv7s and differ; everything else follows the seed.
        using var a = JsonDocument.Parse(written.AsMemory(0, length));
        using var b = JsonDocument.Parse(batch);
        Assert.Equal(
            a.RootElement.EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("path").GetString(), e.GetProperty("user_id").GetString())),
            b.RootElement.EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("path").GetString(), e.GetProperty("user_id").GetString())));
        Assert.Equal(countA, countB);
    }
}
