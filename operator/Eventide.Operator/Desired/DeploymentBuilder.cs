using System.Globalization;
using Eventide.Operator.Autoscaling;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>One Deployment per role, every one from the same image with its role argument.</summary>
public static class DeploymentBuilder
{
    public const string ConfigHashAnnotation = "eventide.io/config-hash";
    private const long NonRootId = 65532;

    public static V1Deployment Build(EventPipeline p, Role role, ObservedState observed) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Metadata.For(p, Names.Component(p, role), role),
        Spec = new V1DeploymentSpec
        {
            // Server-side apply: a field we leave out is a field we do not own. Where an
            // autoscaler (HPA, KEDA) owns the replica count we must not send one, or
            // every reconcile would fight it.
            Replicas = Replicas(p, role, observed),
            RevisionHistoryLimit = 5,
            Selector = new V1LabelSelector { MatchLabels = Labels.Selector(p, role) },
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                // Processors hand shards over on shutdown; surging first avoids a gap in ownership.
                RollingUpdate = role == Role.Processor
                    ? new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 }
                    : new V1RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = 0 },
            },
            Template = new V1PodTemplateSpec
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
            },
        },
    };

    /// <summary>The replica count the operator owns for a role, or null when an autoscaler owns it.</summary>
    public static int? Replicas(EventPipeline p, Role role, ObservedState observed)
    {
        var s = p.Spec;
        if (role == Role.Ingestion)
        {
            return HorizontalPodAutoscalerBuilder.Enabled(s.Ingestion.Replicas, s.Ingestion.MaxReplicas) ? null : s.Ingestion.Replicas;
        }
        if (role == Role.Query)
        {
            return HorizontalPodAutoscalerBuilder.Enabled(s.Query.Replicas, s.Query.MaxReplicas) ? null : s.Query.Replicas;
        }
        var floor = ProcessorReplicas.Floor(s);
        return s.Processor.Autoscaling.Mode switch
        {
            AutoscalingModes.Keda => null,
            AutoscalingModes.Lag => Math.Clamp(observed.ProcessorReplicas ?? s.Processor.MinReplicas, floor, ProcessorReplicas.Ceiling(s)),
            _ => floor,
        };
    }

    private static V1PodSpec PodSpec(EventPipeline p, Role role) => new()
    {
        ServiceAccountName = Names.ServiceAccount(p),
        AutomountServiceAccountToken = false,
        // Processors flush their in-flight batch and release shards on SIGTERM.
        TerminationGracePeriodSeconds = role == Role.Processor ? 60 : 30,
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
        Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("64Mi") } }],
    };

    private static V1Container Container(EventPipeline p, Role role)
    {
        var s = p.Spec;
        return new V1Container
        {
            Name = Names.Container,
            Image = s.Image,
            ImagePullPolicy = s.ImagePullPolicy,
            Args = ["run", "--roles", role.Name, "--listen", $"http://0.0.0.0:{Names.Port}"],
            Ports = [new V1ContainerPort { Name = Names.PortName, ContainerPort = Names.Port, Protocol = "TCP" }],
            EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = Names.ConfigMap(p) } }],
            Env =
            [
                SecretEnv("Eventide__Database__ConnectionString", s.Database.SecretRef.Name, s.Database.SecretRef.Key),
                SecretEnv("Eventide__Admin__Token", s.AdminTokenSecretRef.Name, s.AdminTokenSecretRef.Key),
            ],
            ReadinessProbe = Probe("/readyz", initialDelay: 2, period: 5, failures: 3),
            LivenessProbe = Probe("/healthz", initialDelay: 10, period: 10, failures: 3),
            Resources = Resources(role, role == Role.Ingestion ? s.Ingestion.Resources : role == Role.Processor ? s.Processor.Resources : s.Query.Resources),
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                RunAsNonRoot = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
        };
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

    private static V1ResourceRequirements Resources(Role role, ResourceRequirements? given)
    {
        var requests = given?.Requests ?? new Dictionary<string, string> { ["cpu"] = role.DefaultCpuRequest, ["memory"] = role.DefaultMemoryRequest };
        var limits = given?.Limits ?? (given?.Requests is null ? new Dictionary<string, string> { ["memory"] = role.DefaultMemoryLimit } : null);
        return new V1ResourceRequirements { Requests = Quantities(requests), Limits = limits is null ? null : Quantities(limits) };
    }

    private static SortedDictionary<string, ResourceQuantity> Quantities(Dictionary<string, string> values) =>
        new(values.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value)), StringComparer.Ordinal);
}
