using System.Globalization;
using System.Net;
using System.Text.Json;
using Eventide.Testing;

namespace Eventide.Processor.Tests;

/// <summary>/readyz of real processor processes: ready only once the member is Up and its shard region registered.</summary>
[Collection(ClusterMembersCollection.Name)]
public class ProcessorReadinessTests(EightShardFixture db) : IClassFixture<EightShardFixture>
{
    [Fact]
    public async Task Readyz_answers_503_until_the_member_is_up_and_its_region_registered_then_200()
    {
        var seedPort = EventideProcess.FreePort();
        // Its seed is not running yet: the process serves HTTP but cannot join.
        await using var waiting = await EventideProcess.StartAsync(db.ConnectionString, "processor", Environment(EventideProcess.FreePort(), seedPort));
        var early = await ReadyAsync(waiting);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.Status);
        Assert.False(early.ProcessorReady);
        Assert.Contains("not up", early.Detail, StringComparison.Ordinal);
        var alone = await ClusterView.ReadAsync(waiting.Address, ShardedFixture.AdminToken);
        Assert.True(alone is null || alone.UpMembers == 0, "a processor whose seed is not running saw members up");

        await using var seed = await EventideProcess.StartAsync(db.ConnectionString, "processor", Environment(seedPort, null));
        // Every sample: ready implies that this member's own view has it up.
        var samples = 0;
        await Eventually.WaitAsync(async () =>
        {
            var ready = await ReadyAsync(waiting);
            var view = await ClusterView.ReadAsync(waiting.Address, ShardedFixture.AdminToken);
            samples++;
            if (ready.Status == HttpStatusCode.OK)
            {
                Assert.True(view is null || view.Members.GetValueOrDefault(view.Self) == "up", $"ready while {view?.Members.GetValueOrDefault(view.Self)}");
            }
            return ready;
        }, r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(45), "the joining processor to become ready");
        var joined = await ReadyAsync(waiting);
        Assert.True(joined.ProcessorReady);
        Assert.Contains("region is registered", joined.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(seed)).Status);
        Assert.True(samples > 0);
    }

    private Dictionary<string, string> Environment(int port, int? seedPort) => new(ClusterView.Member(port, seedPort))
    {
        ["Eventide__Shards"] = db.Shards.ToString(CultureInfo.InvariantCulture),
        ["Eventide__Admin__Token"] = ShardedFixture.AdminToken,
    };

    private static async Task<(HttpStatusCode Status, bool ProcessorReady, string Detail)> ReadyAsync(EventideProcess process)
    {
        using var http = new HttpClient { BaseAddress = process.Address, Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var check = body.RootElement.GetProperty("checks").GetProperty("processor");
        return (response.StatusCode, check.GetProperty("ready").GetBoolean(), check.GetProperty("detail").GetString()!);
    }
}
