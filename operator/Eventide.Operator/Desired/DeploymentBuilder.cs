using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>
/// A Deployment for each stateless role (ingestion, query). The processor is a
/// cluster member with a stable identity and runs as a StatefulSet instead
/// (<see cref="StatefulSetBuilder"/>).
/// </summary>
public static class DeploymentBuilder
{
    public const string ConfigHashAnnotation = PodTemplateBuilder.ConfigHashAnnotation;

    /// <summary>The stateless roles, one Deployment each.</summary>
    public static IReadOnlyList<DataPlaneRole> Roles { get; } = [DataPlaneRole.Ingestion, DataPlaneRole.Query];

    /// <exception cref="ArgumentException">For the processor, which is not a Deployment.</exception>
    public static V1Deployment Build(EventPipeline p, DataPlaneRole role, ObservedState observed)
    {
        if (role == DataPlaneRole.Processor)
        {
            throw new ArgumentException("The processor runs as a StatefulSet.", nameof(role));
        }
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Metadata.For(p, Names.Component(p, role), role),
            Spec = new V1DeploymentSpec
            {
                // Server-side apply: a field we leave out is a field we do not own. Where an
                // autoscaler (HPA) owns the replica count we must not send one, or
                // every reconcile would fight it.
                Replicas = Replicas(p, role),
                RevisionHistoryLimit = 5,
                Selector = new V1LabelSelector { MatchLabels = Labels.Selector(p, role) },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = 0 },
                },
                Template = PodTemplateBuilder.Build(p, role),
            },
        };
    }

    /// <summary>The replica count the operator owns for a stateless role, or null when its HPA owns it.</summary>
    public static int? Replicas(EventPipeline p, DataPlaneRole role)
    {
        var s = p.Spec;
        if (role == DataPlaneRole.Ingestion)
        {
            return HorizontalPodAutoscalerBuilder.Enabled(s.Ingestion.Replicas, s.Ingestion.MaxReplicas) ? null : s.Ingestion.Replicas;
        }
        return HorizontalPodAutoscalerBuilder.Enabled(s.Query.Replicas, s.Query.MaxReplicas) ? null : s.Query.Replicas;
    }
}
