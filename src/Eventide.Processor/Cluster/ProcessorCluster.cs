using System.Globalization;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Eventide.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eventide.Processor.Cluster;

/// <summary>
/// The one place the processor's actor system is configured: actor system
/// <c>eventide</c>, Akka.Remote over TCP, the cluster with keep-majority
/// downing, and the sharding tuning. Only processor members call it, so
/// ingestion and query processes never join.
/// </summary>
public static class ProcessorCluster
{
    public const string SystemName = "eventide";

    public const string Role = "processor";

    /// <summary>
    /// Timings, with their reasons (measured figures are in docs/sharding.md):
    /// - split-brain stable-after 5 s: a kill -9'd member is detected
    ///   unreachable after the failure detector's 3 s pause, downed 5 s later,
    ///   and its shards start on the survivors at the next keeper touch
    ///   (1 s), well inside 30 s;
    /// - rebalance every 1 s with no absolute limit below the shard count: Akka's
    ///   default moves at most a few shards per 10 s round, which takes
    ///   minutes for 1 → 3 members over 64 shards;
    /// - joining: seeds are asked again every 2 s (Akka: 5 s) and a join that
    ///   found no seed is retried after 4 s (Akka: 10 s; longer than the seed
    ///   timeout, so a slow seed's answer is not overtaken), so a pod that starts
    ///   before its seed joins as soon as the seed answers; gossip and leader
    ///   actions every 500 ms (Akka: 1 s) move a joining member to Up sooner,
    ///   and a new shard region registers with the coordinator every 500 ms
    ///   until acknowledged (Akka: 2 s) — which shortens a 1 → 3 join by seconds;
    /// - no idle passivation by the shard (it would stop the consumers too):
    ///   site entities passivate themselves;
    /// - distributed-data durable keys off: the LightningDB store cannot load here,
    ///   and nothing needs to survive a full-cluster restart (the inbox does);
    /// - the site entities' mailbox (<see cref="SiteEntityMailbox"/>), empty without storage.
    /// </summary>
    internal static Config Tuning(int shardLimit) => ConfigurationFactory.ParseString($$"""
        akka.cluster.seed-node-timeout = 2s
        akka.cluster.retry-unsuccessful-join-after = 4s
        akka.cluster.periodic-tasks-initial-delay = 200ms
        akka.cluster.gossip-interval = 500ms
        akka.cluster.leader-actions-interval = 500ms
        akka.cluster.split-brain-resolver.stable-after = 5s
        akka.cluster.down-removal-margin = 1s
        akka.cluster.sharding {
          state-store-mode = ddata
          remember-entities = off
          passivate-idle-entity-after = off
          rebalance-interval = 1s
          retry-interval = 500ms
          handoff-timeout = 60s
          least-shard-allocation-strategy.rebalance-absolute-limit = {{shardLimit.ToString(CultureInfo.InvariantCulture)}}
          least-shard-allocation-strategy.rebalance-relative-limit = 1.0
          distributed-data.durable.keys = []
        }
        akka.cluster.distributed-data.durable.keys = []
        akka.coordinated-shutdown.exit-clr = off
        akka.loglevel = WARNING
        {{SiteEntityMailbox.Hocon}}
        """);

    /// <summary>
    /// Registers the actor system, with unpooled remoting buffers unless the environment
    /// says otherwise (<see cref="RemotingBuffers"/>). With <c>Eventide:Cluster:Tls:Enabled</c>
    /// the PEM files are loaded and checked here, so a bad file fails the start with
    /// <see cref="ClusterTlsException"/> before anything listens.
    /// </summary>
    public static IServiceCollection AddProcessorCluster(this IServiceCollection services, EventideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RemotingBuffers.PreferUnpooled();
        var cluster = options.Cluster;
        var tls = cluster.Tls.Enabled ? ClusterTls.Load(cluster.Tls) : null;
        services.AddAkka(SystemName, (builder, provider) =>
        {
            var remote = new RemoteOptions
            {
                HostName = string.IsNullOrEmpty(cluster.BindHostname) ? cluster.Hostname : cluster.BindHostname,
                PublicHostName = cluster.Hostname,
                Port = cluster.Port,
            };
            if (tls is not null)
            {
                remote.EnableSsl = true;
                remote.Ssl = new SslOptions
                {
                    X509Certificate = tls.Certificate,
                    SuppressValidation = false,
                    // Both sides present a certificate; the server refuses a client without one.
                    RequireMutualAuthentication = true,
                    ValidateCertificateHostname = false,
                    CustomValidator = tls.Validator(provider.GetRequiredService<ClusterMetrics>(),
                        provider.GetRequiredService<ILoggerFactory>().CreateLogger("Eventide.Processor.ClusterTls")),
                };
            }
            builder
                .AddHocon(Tuning(options.Shards), HoconAddMode.Prepend)
                .WithRemoting(remote)
                .WithClustering(new Akka.Cluster.Hosting.ClusterOptions
                {
                    Roles = [Role],
                    // Empty: the keeper joins the member to itself once its
                    // address (and port, when 0) is known.
                    SeedNodes = [.. cluster.SeedNodeList],
                    SplitBrainResolver = new KeepMajorityOption(),
                });
        });
        return services;
    }
}
