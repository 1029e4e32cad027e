using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;

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
        var steps = new List<IOwnedObjectStep>
        {
            new OwnedObjectStep<k8s.Models.V1ServiceAccount>("service account", OwnedKinds.ServiceAccount, Names.ServiceAccount, (p, _) => ServiceAccountBuilder.Build(p)),
            new OwnedObjectStep<k8s.Models.V1ConfigMap>("configuration", OwnedKinds.ConfigMap, Names.ConfigMap, (p, _) => ConfigMapBuilder.Build(p)),
            new OwnedObjectStep<Kubernetes.Models.TriggerAuthentication>("KEDA trigger authentication", OwnedKinds.TriggerAuthentication, Names.KedaAuthentication, (p, _) => TriggerAuthenticationBuilder.Build(p)),
        };
        steps.AddRange(Role.All.Select(role => new OwnedObjectStep<k8s.Models.V1Service>(
            $"{role.Name} service", OwnedKinds.Service, p => Names.Component(p, role), (p, _) => ServiceBuilder.Build(p, role))));
        steps.AddRange(Role.All.Select(role => new OwnedObjectStep<k8s.Models.V1Deployment>(
            $"{role.Name} deployment", OwnedKinds.Deployment, p => Names.Component(p, role), (p, o) => DeploymentBuilder.Build(p, role, o))));
        steps.AddRange(Role.All.Select(role => new OwnedObjectStep<k8s.Models.V1PodDisruptionBudget>(
            $"{role.Name} disruption budget", OwnedKinds.PodDisruptionBudget, p => Names.Component(p, role), (p, _) => PodDisruptionBudgetBuilder.Build(p, role))));
        // The processor has no HPA step: it scales on lag, never on CPU.
        steps.AddRange(new[] { Role.Ingestion, Role.Query }.Select(role => new OwnedObjectStep<k8s.Models.V2HorizontalPodAutoscaler>(
            $"{role.Name} autoscaler", OwnedKinds.HorizontalPodAutoscaler, p => Names.Component(p, role), (p, _) => HorizontalPodAutoscalerBuilder.Build(p, role))));
        steps.Add(new OwnedObjectStep<Kubernetes.Models.ScaledObject>("KEDA scaled object", OwnedKinds.ScaledObject, p => Names.Component(p, Role.Processor), (p, _) => ScaledObjectBuilder.Build(p)));
        steps.Add(new OwnedObjectStep<k8s.Models.V1Ingress>("ingress", OwnedKinds.Ingress, Names.Ingress, (p, _) => IngressBuilder.Build(p)));
        steps.Add(new OwnedObjectStep<Kubernetes.Models.ServiceMonitor>("service monitor", OwnedKinds.ServiceMonitor, Names.ServiceMonitor, (p, o) => ServiceMonitorBuilder.Build(p, o)));
        return steps;
    }
}
