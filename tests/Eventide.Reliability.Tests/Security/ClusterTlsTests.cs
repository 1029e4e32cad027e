using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Security;

/// <summary>
/// Processors with Akka.Remote over mutual TLS on loopback: members whose certificates one
/// authority issued form the cluster and consume; a process whose certificate another
/// authority issued is refused (logged and counted by the members) and never joins.
/// </summary>
public sealed class ClusterTlsTests(ShardedDatabase db, ITestOutputHelper output) : IClassFixture<ShardedDatabase>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("eventide-cluster-tls-");

    [Fact]
    public Task Members_of_one_authority_form_the_cluster_and_a_peer_of_another_authority_is_refused() => Bounded.RunAsync(TimeSpan.FromSeconds(150), async () =>
    {
        using var ca1 = TestCertificates.Authority("Eventide test CA 1");
        using var ca2 = TestCertificates.Authority("Eventide test CA 2");
        var members = Files("members", ca1, ca1);
        // The intruder trusts both authorities, so it accepts the members; only their check stops it.
        var intruder = Files("intruder", ca2, ca1, ca2);
        var keys = await new SiteStore(db.DataSource).CreateAsync("tls", CancellationToken.None);
        await using var pipeline = new Pipeline(db.ConnectionString);
        await pipeline.StartIngestionAsync();
        var first = await pipeline.StartProcessorAsync(settings: members);
        var second = await pipeline.StartProcessorAsync(settings: members);
        await Eventually.WaitAsync(() => Shards.SettledAsync(pipeline, 2), TimeSpan.FromSeconds(45), "the two TLS members to share the shards");
        var view = (await ClusterView.ReadAsync(first.Address, Pipeline.AdminToken))!;
        Assert.StartsWith("akka.ssl.tcp://", view.Self, StringComparison.Ordinal);

        using var load = new LoadGenerator(pipeline.IngestionAddress, keys.Site, keys.WriteKey) { Clients = 4, MaxRequestsPerClient = 600, DuplicateShare = 0.2 };
        var running = load.RunAsync(CancellationToken.None);
        var refusedBefore = await RefusedAsync(first) + await RefusedAsync(second);
        await using var outsider = await EventideProcess.StartAsync(db.ConnectionString, "processor", IntruderEnvironment(intruder, view.Self));
        // Its joins are retried every 2 s: wait for the members to have refused some.
        await Eventually.WaitAsync(async () => await RefusedAsync(first) + await RefusedAsync(second), n => n >= refusedBefore + 2,
            TimeSpan.FromSeconds(45), "the members to refuse the intruder's connections");
        var refusals = (first.Log + second.Log).Split('\n').Where(l => l.Contains("Refused cluster peer", StringComparison.Ordinal)).ToList();
        Assert.True(refusals.Count > 0, $"no refusal logged by the members:\n{first.Log}\n{second.Log}");
        Assert.Contains(refusals, l => l.Contains("not issued by the cluster's authority", StringComparison.Ordinal));

        // It never became a member, holds nothing, and is not ready; the members never saw it.
        if (!outsider.HasExited)
        {
            var outsiderView = await ClusterView.ReadAsync(outsider.Address, Pipeline.AdminToken);
            Assert.True(outsiderView is null || (outsiderView.UpMembers == 0 && outsiderView.Placements.Count == 0),
                $"the intruder sees {outsiderView?.UpMembers} members up and holds {outsiderView?.Placements.Count} shards");
            using var http = new HttpClient { BaseAddress = outsider.Address };
            try
            {
                Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
            }
            catch (HttpRequestException)
            {
                // It gave up joining between the two reads and is shutting down: then it must be gone.
                await Eventually.True(() => outsider.HasExited, "the unreachable intruder to have exited", TimeSpan.FromSeconds(30));
            }
        }
        foreach (var member in new[] { first, second })
        {
            var seen = (await ClusterView.ReadAsync(member.Address, Pipeline.AdminToken))!;
            Assert.Equal(2, seen.Members.Count);
            Assert.True(seen.Settled(ShardedDatabase.Shards, 2), $"{seen.Self} is no longer settled: {string.Join(", ", seen.Members)}");
        }

        // The members kept consuming throughout: every acknowledged event stored once.
        await running;
        await StoredEvents.DrainAsync(db.DataSource, TimeSpan.FromSeconds(60));
        output.WriteLine($"{refusals.Count} refusals logged by the members, e.g. {refusals[0].Trim()}; the intruder " +
            (outsider.HasExited ? $"exited with {outsider.ExitCode}; " : "kept running outside the cluster; ") +
            await StoredEvents.AssertExactlyOnceAsync(db.DataSource, load));
        Assert.False(first.HasExited || second.HasExited, "a member exited");
    });

    public void Dispose() => _dir.Delete(recursive: true);

    private static Dictionary<string, string> IntruderEnvironment(Dictionary<string, string> files, string seed)
    {
        var environment = Pipeline.Environment();
        foreach (var (key, value) in files)
        {
            environment[key] = value;
        }
        environment["Eventide__Cluster__Hostname"] = "127.0.0.1";
        environment["Eventide__Cluster__Port"] = EventideProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        environment["Eventide__Cluster__SeedNodes"] = seed;
        return environment;
    }

    private static async Task<double> RefusedAsync(EventideProcess process) =>
        (await MetricsScrape.SamplesAsync(process, "eventide_processor_cluster_refused_peers_total")).Sum();

    /// <summary>The settings of a member whose certificate <paramref name="issuer"/> issued and whose ca.crt holds <paramref name="trusted"/>.</summary>
    private Dictionary<string, string> Files(string name, X509Certificate2 issuer, params X509Certificate2[] trusted)
    {
        var (certificate, key, authority) = TestCertificates.Write(Path.Combine(_dir.FullName, name), $"{name}.eventide-processor", issuer, trusted);
        return new Dictionary<string, string>
        {
            ["Eventide__Cluster__Tls__Enabled"] = "true",
            ["Eventide__Cluster__Tls__CertificatePath"] = certificate,
            ["Eventide__Cluster__Tls__KeyPath"] = key,
            ["Eventide__Cluster__Tls__CaPath"] = authority,
        };
    }
}
