using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

/// <summary>
/// The processors: one Akka.NET cluster, run as a StatefulSet so that every
/// member has a stable name (<c>&lt;name&gt;-processor-0</c>, …) under the
/// headless Service, and the first pods' names serve as seed nodes.
/// </summary>
public static class StatefulSetBuilder
{
    /// <remarks>
    /// The apply never carries <c>spec.replicas</c>: whoever scales the processor
    /// does it through the scale subresource (the operator in Lag and Off modes,
    /// KEDA's HPA in KEDA mode), so the apply and the scaler never own the same
    /// field, and switching modes never drops the count back to the default.
    /// A new StatefulSet therefore starts at one pod, pod 0, the seed that forms
    /// the cluster; the same reconcile scales it to the wanted count.
    /// </remarks>
    public static V1StatefulSet Build(EventPipeline p) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = Metadata.For(p, Names.Component(p, DataPlaneRole.Processor), DataPlaneRole.Processor),
        Spec = new V1StatefulSetSpec
        {
            ServiceName = Names.ProcessorHeadless(p),
            // Parallel: members start and stop together; Akka, not pod order, decides
            // who forms the cluster (the first seed), and a scale-down of several
            // members hands their shards over at the same time.
            PodManagementPolicy = "Parallel",
            RevisionHistoryLimit = 5,
            Selector = new V1LabelSelector { MatchLabels = Labels.Selector(p, DataPlaneRole.Processor) },
            // One member at a time, highest ordinal first: each leaves the cluster and
            // hands its shards over before the next goes.
            UpdateStrategy = new V1StatefulSetUpdateStrategy { Type = "RollingUpdate" },
            Template = PodTemplateBuilder.Build(p, DataPlaneRole.Processor),
        },
    };
}
