using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using k8s.Models;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// Every object a pipeline owns, one named step each, in apply order
/// (dependencies before dependents). Rendering and reconciling both walk this
/// list, so <c>render</c> prints exactly what a reconcile applies.
/// </summary>
public static class PipelineSteps
{
    public static IReadOnlyList<IOwnedObjectStep> All { get; } = Build();

    private static List<IOwnedObjectStep> Build()
    {
        var processor = DataPlaneRole.Processor;
        var steps = new List<IOwnedObjectStep>
        {
            new OwnedObjectStep<V1ServiceAccount>("service account", OwnedKinds.ServiceAccount, Names.ServiceAccount, (p, _) => ServiceAccountBuilder.Build(p)),
            new OwnedObjectStep<V1ConfigMap>("configuration", OwnedKinds.ConfigMap, Names.ConfigMap, (p, _) => ConfigMapBuilder.Build(p)),
            new OwnedObjectStep<Kubernetes.Models.TriggerAuthentication>("KEDA trigger authentication", OwnedKinds.TriggerAuthentication, Names.KedaAuthentication, (p, _) => TriggerAuthenticationBuilder.Build(p)),
            // Policies before pods: a pod never runs unprotected, not even for its first seconds.
            new OwnedObjectStep<V1NetworkPolicy>("processor remoting network policy", OwnedKinds.NetworkPolicy, p => Names.NetworkPolicy(p, ProcessorNetworkPolicyBuilder.Purpose), (p, _) => ProcessorNetworkPolicyBuilder.Build(p)),
            new OwnedObjectStep<V1NetworkPolicy>("ingestion network policy", OwnedKinds.NetworkPolicy, p => Names.NetworkPolicy(p, IngestionNetworkPolicyBuilder.Purpose), (p, _) => IngestionNetworkPolicyBuilder.Build(p)),
            new OwnedObjectStep<V1NetworkPolicy>("query network policy", OwnedKinds.NetworkPolicy, p => Names.NetworkPolicy(p, QueryNetworkPolicyBuilder.Purpose), (p, _) => QueryNetworkPolicyBuilder.Build(p)),
            new OwnedObjectStep<V1NetworkPolicy>("metrics network policy", OwnedKinds.NetworkPolicy, p => Names.NetworkPolicy(p, MetricsNetworkPolicyBuilder.Purpose), (p, _) => MetricsNetworkPolicyBuilder.Build(p)),
            new OwnedObjectStep<V1NetworkPolicy>("egress network policy", OwnedKinds.NetworkPolicy, p => Names.NetworkPolicy(p, EgressNetworkPolicyBuilder.Purpose), (p, _) => EgressNetworkPolicyBuilder.Build(p)),
        };
        steps.AddRange(DataPlaneRole.All.Select(role => new OwnedObjectStep<V1Service>(
            $"{role.Name} service", OwnedKinds.Service, p => Names.Component(p, role), (p, _) => ServiceBuilder.Build(p, role))));
        steps.Add(new OwnedObjectStep<V1Service>("processor headless service", OwnedKinds.Service, Names.ProcessorHeadless, (p, _) => HeadlessServiceBuilder.Build(p)));
        steps.AddRange(DeploymentBuilder.Roles.Select(role => new OwnedObjectStep<V1Deployment>(
            $"{role.Name} deployment", OwnedKinds.Deployment, p => Names.Component(p, role), (p, o) => DeploymentBuilder.Build(p, role, o))));
        // Processors ran as a Deployment of the same name before they formed a cluster: this step
        // wants none, so it deletes one an older operator left (members outside the cluster would
        // consume shards beside it until the database fenced them).
        steps.Add(new OwnedObjectStep<V1Deployment>("legacy processor deployment", OwnedKinds.Deployment, p => Names.Component(p, processor), (_, _) => null));
        steps.Add(new OwnedObjectStep<V1StatefulSet>("processor stateful set", OwnedKinds.StatefulSet, p => Names.Component(p, processor), (p, _) => StatefulSetBuilder.Build(p)));
        steps.AddRange(DataPlaneRole.All.Select(role => new OwnedObjectStep<V1PodDisruptionBudget>(
            $"{role.Name} disruption budget", OwnedKinds.PodDisruptionBudget, p => Names.Component(p, role), (p, _) => PodDisruptionBudgetBuilder.Build(p, role))));
        // The processor has no HPA step: it scales on lag, never on CPU.
        steps.AddRange(DeploymentBuilder.Roles.Select(role => new OwnedObjectStep<V2HorizontalPodAutoscaler>(
            $"{role.Name} autoscaler", OwnedKinds.HorizontalPodAutoscaler, p => Names.Component(p, role), (p, _) => HorizontalPodAutoscalerBuilder.Build(p, role))));
        steps.Add(new OwnedObjectStep<Kubernetes.Models.ScaledObject>("KEDA scaled object", OwnedKinds.ScaledObject, p => Names.Component(p, processor), (p, _) => ScaledObjectBuilder.Build(p)));
        steps.Add(new OwnedObjectStep<V1Ingress>("ingress", OwnedKinds.Ingress, Names.Ingress, (p, _) => IngressBuilder.Build(p)));
        steps.Add(new OwnedObjectStep<V1Ingress>("gRPC ingress", OwnedKinds.Ingress, Names.GrpcIngress, (p, _) => GrpcIngressBuilder.Build(p)));
        steps.Add(new OwnedObjectStep<Kubernetes.Models.ServiceMonitor>("service monitor", OwnedKinds.ServiceMonitor, Names.ServiceMonitor, (p, o) => ServiceMonitorBuilder.Build(p, o)));
        return steps;
    }
}
