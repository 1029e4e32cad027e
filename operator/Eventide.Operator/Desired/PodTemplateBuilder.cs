using System.Globalization;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>
/// The pod template of a role, shared by the Deployments (ingestion, query)
/// and the processor StatefulSet: one image, its role argument, the
/// configuration, and what only a cluster member or an ingestion pod needs.
/// </summary>
public static class PodTemplateBuilder
{
    public const string ConfigHashAnnotation = "eventide.io/config-hash";
    public const string ClusterTlsVolume = "cluster-tls";

    /// <summary>Where the TLS Secret is mounted: the data plane's default certificate directory, so no paths need rendering.</summary>
    public const string ClusterTlsDirectory = "/etc/eventide/cluster-tls";
    private const long NonRootId = 65532;

    /// <summary>
    /// Seeds are the first pods of the StatefulSet, at most three: enough that a
    /// member restarting while another seed is down still finds the cluster, and
    /// all of them pods that exist at the minimum replica count. Pod 0 comes
    /// first: Akka lets only the first seed form a new cluster by joining itself.
    /// </summary>
    public const int MaxSeeds = 3;

    public static V1PodTemplateSpec Build(EventPipeline p, DataPlaneRole role) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Labels = Labels.For(p, role),
            Annotations = new Dictionary<string, string>
            {
                ["prometheus.io/scrape"] = "true",
                ["prometheus.io/port"] = Names.Port.ToString(CultureInfo.InvariantCulture),
                ["prometheus.io/path"] = "/metrics",
                [ConfigHashAnnotation] = ConfigMapBuilder.Hash(p),
            },
        },
        Spec = PodSpec(p, role),
    };

    /// <summary>The seed node addresses every processor member is given, pod 0 first.</summary>
    public static IReadOnlyList<string> SeedNodes(EventPipeline p)
    {
        var count = Math.Max(1, Math.Min(MaxSeeds, p.Spec.Processor.MinReplicas));
        return [.. Enumerable.Range(0, count).Select(i => $"akka.tcp://{Names.ActorSystem}@{Names.ProcessorPodHost(p, i)}:{Names.RemotingPort}")];
    }

    private static V1PodSpec PodSpec(EventPipeline p, DataPlaneRole role)
    {
        List<V1Volume> volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("64Mi") } }];
        if (role == DataPlaneRole.Processor && p.Spec.Processor.Cluster.Tls.SecretName is { } tls)
        {
            // 0440 and the pod's fsGroup: the key is readable by the non-root process, by nobody else.
            volumes.Add(new V1Volume { Name = ClusterTlsVolume, Secret = new V1SecretVolumeSource { SecretName = tls, DefaultMode = 288 } });
        }
        return new V1PodSpec
        {
            ServiceAccountName = Names.ServiceAccount(p),
            AutomountServiceAccountToken = false,
            // Processors flush their in-flight batch and hand their shards over on SIGTERM.
            TerminationGracePeriodSeconds = role == DataPlaneRole.Processor ? 60 : 30,
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = NonRootId,
                RunAsGroup = NonRootId,
                FsGroup = NonRootId,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            Containers = [Container(p, role)],
            // The root file system is read-only; .NET still wants a writable temp directory.
            Volumes = volumes,
        };
    }

    private static V1Container Container(EventPipeline p, DataPlaneRole role)
    {
        var s = p.Spec;
        List<V1ContainerPort> ports = [new V1ContainerPort { Name = Names.PortName, ContainerPort = Names.Port, Protocol = "TCP" }];
        List<V1EnvVar> env =
        [
            SecretEnv("Eventide__Database__ConnectionString", s.Database.SecretRef.Name, s.Database.SecretRef.Key),
            SecretEnv("Eventide__Admin__Token", s.AdminTokenSecretRef.Name, s.AdminTokenSecretRef.Key),
        ];
        List<V1VolumeMount> mounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }];
        V1Probe? startup = null;
        if (role == DataPlaneRole.Ingestion && s.Ingestion.Grpc.Enabled)
        {
            ports.Add(new V1ContainerPort { Name = Names.GrpcPortName, ContainerPort = s.Ingestion.Grpc.Port, Protocol = "TCP" });
        }
        if (role == DataPlaneRole.Processor)
        {
            ports.Add(new V1ContainerPort { Name = Names.RemotingPortName, ContainerPort = Names.RemotingPort, Protocol = "TCP" });
            env.AddRange(ClusterEnv(p));
            if (s.Processor.Cluster.Tls.SecretName is not null)
            {
                mounts.Add(new V1VolumeMount { Name = ClusterTlsVolume, MountPath = ClusterTlsDirectory, ReadOnlyProperty = true });
            }
            // /readyz waits for cluster membership; joining takes a few seconds, longer when
            // the seeds start at the same time. The startup probe gives it two minutes before
            // the liveness probe may restart the pod.
            startup = Probe("/healthz", initialDelay: 0, period: 5, failures: 24);
        }
        return new V1Container
        {
            Name = Names.Container,
            Image = s.Image,
            ImagePullPolicy = s.ImagePullPolicy,
            Args = ["run", "--roles", role.Name, "--listen", $"http://0.0.0.0:{Names.Port}"],
            Ports = ports,
            EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = Names.ConfigMap(p) } }],
            Env = env,
            StartupProbe = startup,
            ReadinessProbe = Probe("/readyz", initialDelay: 2, period: 5, failures: 3),
            LivenessProbe = Probe("/healthz", initialDelay: 10, period: 10, failures: 3),
            Resources = Resources(role, role == DataPlaneRole.Ingestion ? s.Ingestion.Resources : role == DataPlaneRole.Processor ? s.Processor.Resources : s.Query.Resources),
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                RunAsNonRoot = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            VolumeMounts = mounts,
        };
    }

    /// <summary>
    /// A member advertises its pod's stable DNS name but binds every address: the
    /// name resolves only once the headless Service publishes the pod, which can
    /// be after the process starts (publishNotReadyAddresses shortens, not removes, that gap).
    /// </summary>
    private static IEnumerable<V1EnvVar> ClusterEnv(EventPipeline p)
    {
        yield return new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } };
        yield return new V1EnvVar { Name = "Eventide__Cluster__Hostname", Value = $"$(POD_NAME).{Names.ProcessorHeadless(p)}.{p.Namespace}.svc.cluster.local" };
        yield return new V1EnvVar { Name = "Eventide__Cluster__BindHostname", Value = "0.0.0.0" };
        yield return new V1EnvVar { Name = "Eventide__Cluster__Port", Value = Names.RemotingPort.ToString(CultureInfo.InvariantCulture) };
        yield return new V1EnvVar { Name = "Eventide__Cluster__SeedNodes", Value = string.Join(',', SeedNodes(p)) };
        if (p.Spec.Processor.Cluster.Tls.SecretName is not null)
        {
            // The certificate paths default to the mount directory.
            yield return new V1EnvVar { Name = "Eventide__Cluster__Tls__Enabled", Value = "true" };
        }
    }

    private static V1EnvVar SecretEnv(string name, string secret, string key) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key } },
    };

    private static V1Probe Probe(string path, int initialDelay, int period, int failures) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = Names.PortName },
        InitialDelaySeconds = initialDelay,
        PeriodSeconds = period,
        TimeoutSeconds = 2,
        FailureThreshold = failures,
    };

    private static V1ResourceRequirements Resources(DataPlaneRole role, ResourceRequirements? given)
    {
        var requests = given?.Requests ?? new Dictionary<string, string> { ["cpu"] = role.DefaultCpuRequest, ["memory"] = role.DefaultMemoryRequest };
        var limits = given?.Limits ?? (given?.Requests is null ? new Dictionary<string, string> { ["memory"] = role.DefaultMemoryLimit } : null);
        return new V1ResourceRequirements { Requests = Quantities(requests), Limits = limits is null ? null : Quantities(limits) };
    }

    private static SortedDictionary<string, ResourceQuantity> Quantities(Dictionary<string, string> values) =>
        new(values.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value)), StringComparer.Ordinal);
}
